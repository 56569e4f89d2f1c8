package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.RawClient;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Withdraw;

/**
 * The tracker's registry under adversarial use: lookups never list the asker, withdraws and conflicting
 * announces of others change nothing, repeats count once, and a closed or reset session's entries go.
 */
class TrackerRegistryTest extends TrackerFixture {

    @Test
    @Timeout(30)
    void lookupNeverReturnsTheAsker() throws Exception {
        // two identities: the answers are told apart by the ids the handshakes proved
        try (RawClient a = RawClient.secure(tracker.address(), StaticKey.of(Identity.generate()));
             RawClient b = RawClient.secure(tracker.address(), StaticKey.of(Identity.generate()))) {
            a.trackerHello(LISTEN_PORT);
            b.trackerHello(LISTEN_PORT + 1);
            a.send(announce(ID, "dir/movie.mp4"), Lookup.byContentId(ID, 200), Lookup.byName("dir/movie.mp4", 200));
            Peers alone = a.expect(MessageType.PEERS, Peers::decode);
            assertTrue(alone.found(), "the stream is known");
            assertEquals(List.of(), alone.peers(), "the only holder is the asker: not listed");
            assertEquals(List.of(), a.expect(MessageType.PEERS, Peers::decode).peers(), "by name too");
            b.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
            b.expect(MessageType.STREAMS, Streams::decode);
            for (int i = 0; i < 20; i++) {
                a.send(Lookup.byContentId(ID, 200), Lookup.byName("dir/movie.mp4", 1));
                b.send(Lookup.byContentId(ID, 200), Lookup.byName("dir/movie.mp4", 1));
                for (RawClient asker : List.of(a, b)) {
                    RawClient other = asker == a ? b : a;
                    for (int k = 0; k < 2; k++) {
                        Peers p = asker.expect(MessageType.PEERS, Peers::decode);
                        assertEquals(1, p.peers().size(), "exactly the other holder");
                        assertEquals(other.peerId, p.peers().get(0).peerId(), "never the asker");
                        assertNotEquals(asker.peerId, p.peers().get(0).peerId());
                    }
                }
            }
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void lookupOfUnknownContentIdReturnsPeersWithFoundZero() throws Exception {
        try (RawClient a = connect(); RawClient b = connect()) {
            announceMovie(a, LISTEN_PORT);
            b.trackerHello(0);
            b.send(Lookup.byContentId(OTHER_ID, 10));
            RawClient.Frame f = b.read();
            assertEquals(MessageType.PEERS.code(), f.type(), f.describe());
            assertEquals(List.of((byte) 0), List.of(f.payload()[0]), "found=0");
            assertEquals(1, f.payload().length, "found=0 and nothing else");
            assertFalse(Peers.decode(f.buffer()).found());
            b.send(Lookup.byName("no/such/name", 10));
            assertFalse(b.expect(MessageType.PEERS, Peers::decode).found(), "unknown name: found=0");
            b.send(Lookup.byName("movie.mp4", 10));
            assertFalse(b.expect(MessageType.PEERS, Peers::decode).found(), "names match exactly, not by suffix");
            b.assertServed(); // the session is still open
        }
    }

    @Test
    @Timeout(30)
    void lookupWithMaxPeersZeroFindsTheStreamButListsNobody() throws Exception {
        try (RawClient a = connect(); RawClient b = connect()) {
            announceMovie(a, LISTEN_PORT);
            b.trackerHello(0);
            b.send(Lookup.byContentId(ID, 0));
            Peers p = b.expect(MessageType.PEERS, Peers::decode);
            assertTrue(p.found());
            assertEquals(List.of(), p.peers());
        }
    }

    @Test
    @Timeout(30)
    void withdrawByAnotherSessionDoesNotRemoveTheHolder() throws Exception {
        try (RawClient a = connect(); RawClient b = connect()) {
            announceMovie(a, LISTEN_PORT);
            b.trackerHello(LISTEN_PORT + 1);
            b.send(new Withdraw(ID), new Withdraw(OTHER_ID), Lookup.byContentId(ID, 10));
            Peers p = b.expect(MessageType.PEERS, Peers::decode);
            assertEquals(1, p.peers().size(), "a's entry survives b's withdraw");
            assertEquals(a.peerId, p.peers().get(0).peerId());
            assertEquals(1, tracker.entryCount());
            a.send(new Withdraw(ID), new ListStreams("", 10));
            assertEquals(List.of(), a.expect(MessageType.STREAMS, Streams::decode).streams(),
                    "own withdraw removes it");
            assertEquals(0, tracker.entryCount());
        }
    }

    @Test
    @Timeout(30)
    void repeatedAnnounceOfTheSameStreamCountsOnce() throws Exception {
        try (RawClient a = connect()) {
            a.trackerHello(LISTEN_PORT);
            for (int i = 0; i < 50; i++) {
                a.send(announce(ID, "dir/movie.mp4"));
            }
            a.send(new Announce(ID, "dir/movie.mp4", SIZE, CHUNK, 4, 2), new ListStreams("", 10));
            Streams s = a.expect(MessageType.STREAMS, Streams::decode);
            assertEquals(1, s.streams().size());
            assertEquals(1, s.streams().get(0).peers());
            assertEquals(0, s.streams().get(0).seeds(), "the last announcement (2 of 4 held) counts");
            assertEquals(1, tracker.entryCount());
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void conflictingAnnounceOfAKnownContentIdIsRefusedAloneAndTheOriginalStays() throws Exception {
        try (RawClient a = connect(); RawClient b = connect()) {
            announceMovie(a, LISTEN_PORT);
            b.trackerHello(LISTEN_PORT + 1);
            b.send(announce(ID, "dir/other-name.mp4"));
            // b keeps its session: one bad announcement must not drop a peer's other entries
            b.send(Lookup.byName("dir/other-name.mp4", 10), Lookup.byName("dir/movie.mp4", 10));
            assertFalse(b.expect(MessageType.PEERS, Peers::decode).found(), "the lying name is not registered");
            Peers p = b.expect(MessageType.PEERS, Peers::decode);
            assertTrue(p.found());
            assertEquals(SIZE, p.size());
            assertEquals(1, p.peers().size(), "only the original holder is listed");
            assertEquals(2, tracker.connectionCount());
            assertEquals(1, tracker.entryCount());
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void sessionThatClosesHasItsEntriesRemoved() throws Exception {
        try (RawClient b = connect()) {
            b.trackerHello(0);
            RawClient a = connect();
            a.trackerHello(LISTEN_PORT);
            a.send(announce(ID, "dir/movie.mp4"), announce(OTHER_ID, "dir/other.mp4"), new ListStreams("", 10));
            assertEquals(2, a.expect(MessageType.STREAMS, Streams::decode).streams().size());
            assertEquals(2, tracker.entryCount());
            a.close();
            await("entries of the closed session removed", () -> tracker.entryCount() == 0);
            assertEquals(0, tracker.streamCount());
            b.send(Lookup.byContentId(ID, 10), new ListStreams("", 10));
            assertFalse(b.expect(MessageType.PEERS, Peers::decode).found(), "no stale peer");
            assertEquals(List.of(), b.expect(MessageType.STREAMS, Streams::decode).streams());
            await("one connection left", () -> tracker.connectionCount() == 1);
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void sessionThatIsResetHasItsEntriesRemoved() throws Exception {
        RawClient a = connect();
        announceMovie(a, LISTEN_PORT);
        a.abort();
        awaitNoConnectionsAndNoEntries();
    }
}
