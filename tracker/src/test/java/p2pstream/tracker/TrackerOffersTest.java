package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.access.Grant;
import p2pstream.common.access.Offer;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.net.WireBytes;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Withdraw;

/**
 * OFFER at a real tracker: an owner's offer of a stream it holds privately is taken and handed to the reader's
 * subscribed sessions, those that subscribe later included, and never to a session that did not subscribe; a
 * forged or another owner's grant ends the session (AUTHENTICATION), an offer of a stream the session does not hold
 * is refused alone; a withdrawn stream's offer and an ended session's go; pending offers are bounded.
 */
@Timeout(60)
class TrackerOffersTest extends TrackerFixture {
    private static final Identity OWNER = Identity.generate();
    private static final Identity READER = Identity.generate();
    private static final Identity STRANGER = Identity.generate();
    private static final String NAME = "holiday/june.mp4";
    private static final Announce JUNE = announce(ID, NAME);

    private RawClient session(Identity who, int listenPort) throws IOException, ProtocolException {
        RawClient c = RawClient.secure(tracker.address(), StaticKey.of(who));
        c.trackerHello(listenPort);
        return c;
    }

    private static Offer offer(Identity owner, PeerId to, ContentId id) {
        return new Offer(NAME, SIZE, Grant.forStream(owner, to, id, Long.MAX_VALUE));
    }

    /** The owner holds June privately, readable by READER. */
    private RawClient owner() throws IOException, ProtocolException {
        RawClient owner = session(OWNER, 5000);
        owner.send(new PrivateAnnounce(JUNE, List.of(Grant.forStream(OWNER, READER.peerId(), ID, Long.MAX_VALUE))));
        return owner;
    }

    private static Offer.Answer answer(RawClient c) throws IOException, ProtocolException {
        return c.expect(MessageType.OFFER, b -> (Offer.Answer) Offer.decode(b));
    }

    private static Offer offerReceived(RawClient c) throws IOException, ProtocolException {
        return c.expect(MessageType.OFFER, b -> (Offer) Offer.decode(b));
    }

    /** A LIST round trip: anything the tracker sent this session before it would come first (and fail this). */
    private static void nothingElseCame(RawClient c) throws IOException, ProtocolException {
        c.send(new ListStreams("", 1));
        c.expect(MessageType.STREAMS, Streams::decode);
    }

    @Test
    void aSubscriberGetsOffersMadeBeforeAndAfterItSubscribedAndANonSubscriberNone() throws Exception {
        try (RawClient owner = owner();
             RawClient quiet = session(READER, 0);
             RawClient stranger = session(STRANGER, 0)) {
            stranger.send(new Offer.Subscribe());
            Offer first = offer(OWNER, READER.peerId(), ID);
            owner.send(first);
            Offer.Answer taken = answer(owner);
            assertEquals(Offer.Answer.Kind.TAKEN, taken.kind());
            assertEquals(READER.peerId(), taken.grantee());
            nothingElseCame(quiet); // the reader's session that did not subscribe gets no unexpected frame
            nothingElseCame(stranger); // another id's subscription gets nothing of it
            try (RawClient reader = session(READER, 0)) {
                reader.send(new Offer.Subscribe());
                assertEquals(first, offerReceived(reader), "an offer made before the subscription");
                assertEquals(Offer.Answer.Kind.DELIVERED, answer(owner).kind());
                // a second stream offered while it is subscribed comes at once
                Announce july = announce(OTHER_ID, "holiday/july.mp4");
                owner.send(new PrivateAnnounce(july, List.of(Grant.forStream(OWNER, READER.peerId(), OTHER_ID,
                        Long.MAX_VALUE))));
                Offer second = new Offer("holiday/july.mp4", SIZE, Grant.forStream(OWNER, READER.peerId(),
                        OTHER_ID, Long.MAX_VALUE));
                owner.send(second);
                assertEquals(Offer.Answer.Kind.TAKEN, answer(owner).kind());
                assertEquals(Offer.Answer.Kind.DELIVERED, answer(owner).kind());
                assertEquals(second, offerReceived(reader));
                nothingElseCame(quiet);
            }
        }
    }

    @Test
    void anOfferOfAStreamNotHeldOrAsAnotherNameIsRefusedAloneAndAWithdrawnStreamsOfferGoes() throws Exception {
        try (RawClient owner = owner()) {
            owner.send(offer(OWNER, READER.peerId(), OTHER_ID));
            Offer.Answer refused = answer(owner);
            assertEquals(Offer.Answer.Kind.REFUSED, refused.kind());
            assertTrue(refused.reason().contains("does not hold it"), refused.reason());
            owner.send(new Offer("holiday/other-name.mp4", SIZE, Grant.forStream(OWNER, READER.peerId(), ID,
                    Long.MAX_VALUE)));
            assertTrue(answer(owner).reason().contains("as announced"));
            owner.send(new Offer(NAME, SIZE, Grant.forStream(OWNER, READER.peerId(), ID, 1)));
            assertTrue(answer(owner).reason().contains("expired"));
            owner.send(offer(OWNER, READER.peerId(), ID));
            assertEquals(Offer.Answer.Kind.TAKEN, answer(owner).kind());
            owner.send(new Withdraw(ID));
            nothingElseCame(owner);
            try (RawClient reader = session(READER, 0)) {
                reader.send(new Offer.Subscribe());
                nothingElseCame(reader); // the withdrawn stream's offer went with it
            }
        }
        // an ended session's offers go too
        try (RawClient owner = owner()) {
            owner.send(offer(OWNER, READER.peerId(), ID));
            assertEquals(Offer.Answer.Kind.TAKEN, answer(owner).kind());
        }
        awaitNoConnectionsAndNoEntries();
        try (RawClient reader = session(READER, 0)) {
            reader.send(new Offer.Subscribe());
            nothingElseCame(reader);
        }
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

    @Test
    void forgedAlteredAndForeignOffersEndTheSession() throws Exception {
        byte[] good = WireBytes.encoded(offer(OWNER, READER.peerId(), ID));
        byte[] forged = good.clone();
        forged[forged.length - 1] ^= 1;
        assertRefusedAndClosed(OWNER, forged, ErrorCode.AUTHENTICATION, "does not verify");
        byte[] altered = good.clone();
        altered[altered.length - 70] ^= 1; // the content id, inside what was signed
        assertRefusedAndClosed(OWNER, altered, ErrorCode.AUTHENTICATION, "does not verify");
        // the owner's genuine offer, sent by someone else: the sender must be the grant's owner
        assertRefusedAndClosed(STRANGER, good, ErrorCode.AUTHENTICATION, "the offering peer");
        // the tracker's answers are not a peer's to send
        assertRefusedAndClosed(OWNER, WireBytes.encoded(new Offer.Answer(Offer.Answer.Kind.TAKEN, ID,
                READER.peerId(), "")), ErrorCode.UNEXPECTED, "offer kind");
        awaitNoConnectionsAndNoEntries();
        assertGoodSessionsWork();
    }

    @Test
    void pendingOffersAreBoundedPerReaderTheOldestDropped() throws Exception {
        PeerId many = Identity.generate().peerId();
        List<ContentId> ids = new ArrayList<>();
        try (RawClient owner = session(OWNER, 5000)) {
            for (int i = 0; i < Offers.MAX_PER_RECIPIENT + 2; i++) {
                ContentId id = new ContentId(7, 7, 7, i);
                ids.add(id);
                owner.send(new PrivateAnnounce(new Announce(id, "f" + i, SIZE, CHUNK, 4, 4),
                        List.of(Grant.forStream(OWNER, many, id, Long.MAX_VALUE))));
                owner.send(new Offer("f" + i, SIZE, Grant.forStream(OWNER, many, id, Long.MAX_VALUE)));
                assertEquals(Offer.Answer.Kind.TAKEN, answer(owner).kind(), "offer " + i);
            }
            assertEquals(Offers.MAX_PER_RECIPIENT, tracker.offersPending());
            try (RawClient reader = session(OWNER, 0)) {
                // OWNER itself is no grantee: nothing for it
                reader.send(new Offer.Subscribe());
                nothingElseCame(reader);
            }
        }
        awaitNoConnectionsAndNoEntries();
        await("the ended session's offers gone", () -> tracker.offersPending() == 0);
    }

    @HostileCase(value = "An OFFER flood from one session: valid offers of a held stream as fast as it sends",
            expect = "RATE_LIMITED and close once the session's grant checks pass its budget (384 at once, then 64 a"
                    + " second); offers kept stay within 64 for the reader; good sessions go on",
            section = HostileCase.ACCESS)
    void anOfferFloodIsRateLimited(Trial trial) throws Exception {
        byte[] frame = WireBytes.encoded(offer(OWNER, READER.peerId(), ID));
        try (RawClient owner = owner()) {
            byte[] burst = new byte[frame.length * 2_000];
            for (int i = 0; i < 2_000; i++) {
                System.arraycopy(frame, 0, burst, i * frame.length, frame.length);
            }
            owner.sendBytes(burst);
            int answers = 0;
            while (true) {
                RawClient.Frame f = owner.read();
                if (f.type() == MessageType.ERROR.code()) {
                    ErrorMessage e = ErrorMessage.decode(f.buffer());
                    assertEquals(ErrorCode.RATE_LIMITED.code(), e.code(), e.message());
                    break;
                }
                Message m = Offer.decode(f.buffer());
                assertTrue(m instanceof Offer.Answer a && a.kind() == Offer.Answer.Kind.TAKEN, m.toString());
                answers++;
            }
            owner.expectEof();
            trial.record("offers taken before ERROR RATE_LIMITED", answers);
            assertTrue(answers <= 2_000, "answers " + answers);
        }
        awaitNoConnectionsAndNoEntries();
        await("the flooder's offers gone", () -> tracker.offersPending() == 0);
        assertGoodSessionsWork();
    }

    @Test
    void offersDecodeAsTheyWereSent() throws Exception {
        Offer o = offer(OWNER, READER.peerId(), ID);
        ByteBuffer b = ByteBuffer.allocate(o.payloadLength());
        o.encodePayload(b);
        assertEquals(o, Offer.decode(b.flip(), OWNER.peerId()));
    }
}
