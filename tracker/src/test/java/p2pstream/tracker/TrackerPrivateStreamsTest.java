package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.access.Grant;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.net.WireBytes;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Streams;

/**
 * Private streams at a real tracker: the owner uploads one grant per reader with its PRIVATE_ANNOUNCE; a grantee
 * lists the stream (marked private), looks it up and gets its grant in PEERS; anyone else gets exactly the answers
 * of an unknown stream; an expired grant hides it again; a viewer holding it by its own grant is named to grantees
 * only. Forged, foreign and oversized grant uploads end the session with a clear ERROR.
 */
@Timeout(60)
class TrackerPrivateStreamsTest extends TrackerFixture {
    private static final Identity OWNER = Identity.generate();
    private static final Identity GRANTEE = Identity.generate();
    private static final Identity SECOND = Identity.generate();
    private static final Identity STRANGER = Identity.generate();
    private static final String NAME = "club/june.mp4";
    private static final Announce JUNE = announce(ID, NAME);

    private RawClient session(Identity who, int listenPort) throws IOException, ProtocolException {
        RawClient c = RawClient.secure(tracker.address(), StaticKey.of(who));
        c.trackerHello(listenPort);
        return c;
    }

    private static Grant grant(PeerId grantee, long expiresMillis) {
        return Grant.forStream(OWNER, grantee, ID, expiresMillis);
    }

    private static Streams list(RawClient c) throws IOException, ProtocolException {
        c.send(new ListStreams("", 100));
        return c.expect(MessageType.STREAMS, Streams::decode);
    }

    private static byte[] lookupBytes(RawClient c, Lookup l) throws IOException, ProtocolException {
        c.send(l);
        return c.expect(MessageType.PEERS, b -> {
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return bytes;
        });
    }

    private static Peers lookup(RawClient c, Lookup l) throws IOException, ProtocolException {
        return Peers.decode(ByteBuffer.wrap(lookupBytes(c, l)));
    }

    private static boolean found(RawClient c) {
        try {
            return lookup(c, Lookup.byContentId(ID, 10)).found();
        } catch (IOException | ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    /** The owner announces June privately to GRANTEE and SECOND; the answer to its LIST shows it registered. */
    private RawClient ownerSharing(long expiresMillis) throws IOException, ProtocolException {
        RawClient owner = session(OWNER, 5000);
        owner.send(new PrivateAnnounce(JUNE, List.of(grant(GRANTEE.peerId(), expiresMillis),
                grant(SECOND.peerId(), Long.MAX_VALUE))));
        assertEquals(1, list(owner).streams().size(), "the owner sees its own private stream");
        return owner;
    }

    @Test
    void aGranteeListsAndLooksUpThePrivateStreamAndGetsItsGrantWhileAStrangerSeesNothing() throws Exception {
        try (RawClient owner = ownerSharing(Long.MAX_VALUE);
             RawClient grantee = session(GRANTEE, 0);
             RawClient stranger = session(STRANGER, 0)) {
            Streams seen = list(grantee);
            assertEquals(1, seen.streams().size());
            Streams.Entry e = seen.streams().get(0);
            assertEquals(NAME, e.name());
            assertTrue(e.isPrivate(), "marked private");
            for (Lookup l : List.of(Lookup.byName(NAME, 10), Lookup.byContentId(ID, 10))) {
                Peers found = lookup(grantee, l);
                assertEquals(ID, found.contentId());
                assertEquals(1, found.peers().size());
                assertEquals(OWNER.peerId(), found.peers().get(0).peerId());
                assertArrayEquals(grant(GRANTEE.peerId(), Long.MAX_VALUE).bytes(), found.grant(), "the asker's grant");
            }
            assertNull(lookup(owner, Lookup.byContentId(ID, 10)).grant(), "the owner needs no grant");

            // a stranger: the very bytes of an unknown stream, by name and by content id, and an empty LIST
            byte[] unknown = lookupBytes(stranger, Lookup.byContentId(OTHER_ID, 10));
            assertArrayEquals(unknown, lookupBytes(stranger, Lookup.byContentId(ID, 10)));
            assertArrayEquals(unknown, lookupBytes(stranger, Lookup.byName(NAME, 10)));
            assertEquals(List.of(), list(stranger).streams());
        }
    }

    @Test
    void aViewerHoldingItByItsGrantIsNamedToGranteesOnlyAndAPublicOneOfTheSameNameStaysApart() throws Exception {
        try (RawClient owner = ownerSharing(Long.MAX_VALUE);
             RawClient holder = session(GRANTEE, 6000);
             RawClient second = session(SECOND, 0);
             RawClient stranger = session(STRANGER, 7000)) {
            holder.send(new PrivateAnnounce(new Announce(ID, NAME, SIZE, CHUNK, 4, 2),
                    List.of(grant(GRANTEE.peerId(), Long.MAX_VALUE))));
            // a public stream of the same name, other content
            stranger.send(announce(OTHER_ID, NAME));
            list(holder);
            list(stranger);
            Peers found = lookup(second, Lookup.byContentId(ID, 10));
            Set<PeerId> holders = new HashSet<>();
            found.peers().forEach(p -> holders.add(p.peerId()));
            assertEquals(Set.of(OWNER.peerId(), GRANTEE.peerId()), holders);
            assertEquals(2, list(second).streams().size(), "both Junes for a grantee");
            Peers byName = lookup(stranger, Lookup.byName(NAME, 10));
            assertEquals(OTHER_ID, byName.contentId(), "by name a stranger finds the public June only");
            assertEquals(List.of(OTHER_ID), list(stranger).streams().stream().map(Streams.Entry::contentId).toList());
        }
    }

    @Test
    void anExpiredGrantHidesTheStreamAndTheOwnerLeavingTakesItsGrants() throws Exception {
        long soon = System.currentTimeMillis() + 1_500;
        try (RawClient owner = ownerSharing(soon);
             RawClient grantee = session(GRANTEE, 0);
             RawClient second = session(SECOND, 0)) {
            assertTrue(lookup(grantee, Lookup.byContentId(ID, 10)).found(), "before its expiry");
            await("GRANTEE's grant expired: June hidden from it", () -> !found(grantee));
            assertEquals(List.of(), list(grantee).streams());
            assertTrue(lookup(second, Lookup.byContentId(ID, 10)).found(), "SECOND's grant still holds");
            // an already expired grant uploaded is not kept
            owner.send(new PrivateAnnounce(JUNE, List.of(grant(SECOND.peerId(), System.currentTimeMillis() - 1))));
            list(owner);
            assertFalse(lookup(second, Lookup.byContentId(ID, 10)).found(), "replaced by an expired grant: hidden");
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    void theLatestAnnouncementsGrantsReplaceTheEarlierOnes() throws Exception {
        try (RawClient owner = ownerSharing(Long.MAX_VALUE);
             RawClient grantee = session(GRANTEE, 0);
             RawClient second = session(SECOND, 0);
             RawClient stranger = session(STRANGER, 0)) {
            assertTrue(found(second), "SECOND is granted at first");
            // SECOND taken off, STRANGER let in: the same stream announced again with the new grant set
            owner.send(new PrivateAnnounce(JUNE, List.of(grant(GRANTEE.peerId(), Long.MAX_VALUE),
                    grant(STRANGER.peerId(), Long.MAX_VALUE))));
            list(owner);
            assertFalse(found(second), "SECOND's grant is gone with the announcement that left it out");
            assertEquals(List.of(), list(second).streams());
            assertArrayEquals(lookupBytes(second, Lookup.byContentId(OTHER_ID, 10)),
                    lookupBytes(second, Lookup.byName(NAME, 10)), "by name: the answer of an unknown stream");
            assertTrue(found(grantee), "GRANTEE kept");
            assertTrue(found(stranger), "STRANGER added");
            assertArrayEquals(grant(STRANGER.peerId(), Long.MAX_VALUE).bytes(),
                    lookup(stranger, Lookup.byContentId(ID, 10)).grant(), "the new grant handed out");
        }
        awaitNoConnectionsAndNoEntries();
    }

    /** Sends {@code bad} after HELLO as {@code who}; the tracker must answer {@code code} and close. */
    private void assertRefusedAndClosed(Identity who, byte[] bad, ErrorCode code, String part) throws Exception {
        try (RawClient c = session(who, 5000)) {
            c.sendBytes(bad);
            ErrorMessage e = c.expectError(code);
            assertTrue(e.message().contains(part), e.message());
            c.expectEof();
        }
    }

    @HostileCase(value = "Forged, foreign and oversized grant uploads to the tracker (PRIVATE_ANNOUNCE)",
            expect = "each session gets its ERROR (AUTHENTICATION, MALFORMED, FRAME_TOO_LARGE) and is closed; nothing"
                    + " is registered, and good sessions go on", section = HostileCase.ACCESS)
    void forgedForeignAndOversizedGrantUploadsAreRefusedAndClosed(Trial trial) throws Exception {
        byte[] good = WireBytes.encoded(new PrivateAnnounce(JUNE, List.of(grant(GRANTEE.peerId(), Long.MAX_VALUE))));
        byte[] forged = good.clone();
        forged[forged.length - 1] ^= 1;
        assertRefusedAndClosed(OWNER, forged, ErrorCode.AUTHENTICATION, "does not verify");
        // the owner's genuine grants, uploaded by someone else: a stranger cannot make a stream private to others
        assertRefusedAndClosed(STRANGER, good, ErrorCode.AUTHENTICATION, "the announcing peer");
        // 257 grants: more than one announcement may carry
        Grant g = grant(GRANTEE.peerId(), Long.MAX_VALUE);
        ByteBuffer many = ByteBuffer.allocate(JUNE.payloadLength() + 2 + 257 * g.encodedLength());
        JUNE.encodePayload(many);
        many.putShort((short) 257);
        for (int i = 0; i < 257; i++) {
            g.encode(many);
        }
        assertRefusedAndClosed(OWNER, WireBytes.frame(MessageType.PRIVATE_ANNOUNCE.code(), many.array()),
                ErrorCode.MALFORMED, "grant count: 257");
        // folder grants of long prefixes: past the 64 KiB a control frame may take, refused on its length alone
        String folder = "club/" + "x".repeat(1000);
        Announce deep = announce(ID, folder + "/june.mp4");
        List<Grant> wide = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            wide.add(Grant.forPrefix(OWNER, PeerId.random(), folder, Long.MAX_VALUE));
        }
        ByteBuffer big = ByteBuffer.allocate(deep.payloadLength() + 2 + 60 * wide.get(0).encodedLength());
        deep.encodePayload(big);
        big.putShort((short) 60);
        wide.forEach(w -> w.encode(big));
        assertRefusedAndClosed(OWNER, WireBytes.frame(MessageType.PRIVATE_ANNOUNCE.code(), big.array()),
                ErrorCode.FRAME_TOO_LARGE, "length");
        awaitNoConnectionsAndNoEntries();
        assertGoodSessionsWork();
        trial.record("bad uploads refused", 4);
    }

    @HostileCase(value = "A flood of valid grant uploads to the tracker (256 grants a frame, as fast as it reads)",
            expect = "RATE_LIMITED and close once the session's grant checks pass its budget (384 at once, then 64 a"
                    + " second); good sessions go on", section = HostileCase.ACCESS)
    void aFloodOfGrantChecksIsRateLimited(Trial trial) throws Exception {
        List<Grant> grants = new ArrayList<>();
        for (int i = 0; i < PrivateAnnounce.MAX_GRANTS; i++) {
            grants.add(grant(PeerId.random(), Long.MAX_VALUE));
        }
        byte[] frame = WireBytes.encoded(new PrivateAnnounce(JUNE, grants));
        try (RawClient c = session(OWNER, 5000)) {
            // six frames at once: the third finds the budget spent (the first two took 512 of 384) unless checking
            // them took seconds; the sixth, unless checking 1,280 grants took 18 s
            byte[] burst = new byte[frame.length * 6];
            for (int i = 0; i < 6; i++) {
                System.arraycopy(frame, 0, burst, i * frame.length, frame.length);
            }
            long start = System.nanoTime();
            c.sendBytes(burst);
            ErrorMessage e = c.expectError(ErrorCode.RATE_LIMITED);
            trial.recordSecondsSince("seconds to the refusal", start);
            assertTrue(e.message().startsWith("grants to check: "), e.message());
            c.expectEof();
        }
        awaitNoConnectionsAndNoEntries();
        assertGoodSessionsWork();
    }
}
