package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Streams;

/**
 * The tracker's bounds across sessions: the global entry cap (refuse new entries alone when full, take them
 * again once room frees), and the per-session bound on ANNOUNCE/WITHDRAW work queued for the registry loop.
 */
class TrackerCapacityTest extends TrackerFixture {

    @Test
    @Timeout(30)
    void announcementsBeyondTheEntryCapAreRefusedAloneAndTakenAgainOnceASessionEnds() throws Exception {
        try (Tracker small = Tracker.start(new Tracker.Config(new InetSocketAddress("127.0.0.1", 0), 2, 100, 60_000)
                .withMaxEntries(3));
             RawClient b = RawClient.secure(small.address())) {
            RawClient a = RawClient.secure(small.address());
            a.trackerHello(LISTEN_PORT);
            b.trackerHello(LISTEN_PORT + 1);
            a.send(announce(ID, "dir/movie.mp4"), announce(OTHER_ID, "dir/other.mp4"), new ListStreams("", 10));
            assertEquals(2, a.expect(MessageType.STREAMS, Streams::decode).streams().size());
            b.send(announce(ID, "dir/movie.mp4"), announce(CASE_ID, "dir/third.mp4"), new ListStreams("", 10));
            List<Streams.Entry> listed = b.expect(MessageType.STREAMS, Streams::decode).streams();
            assertEquals(List.of("dir/movie.mp4", "dir/other.mp4"), listed.stream().map(Streams.Entry::name).toList(),
                    "the fourth entry is refused: the tracker holds 3");
            assertEquals(3, small.entryCount());
            b.send(Lookup.byContentId(CASE_ID, 10));
            assertFalse(b.expect(MessageType.PEERS, Peers::decode).found());
            b.assertServed(); // refused alone: the session and its entry stay
            b.send(Lookup.byContentId(ID, 10));
            assertEquals(a.peerId, b.expect(MessageType.PEERS, Peers::decode).peers().get(0).peerId());

            a.close();
            await("the closed session's entries removed", () -> small.entryCount() == 1);
            b.send(announce(CASE_ID, "dir/third.mp4"), Lookup.byContentId(CASE_ID, 10));
            assertTrue(b.expect(MessageType.PEERS, Peers::decode).found(), "room again: the announcement is taken");
            assertEquals(2, small.entryCount());
        }
    }

    /**
     * The registry loop is held busy while two sessions (one per loop of the tracker) each send 500 ANNOUNCEs
     * and a PING. A session that read them all would queue 500 tasks and answer the PING at once; a bounded one
     * stops reading after a few, so its PING waits, unread, in TCP until the registry catches up.
     */
    @Test
    @Timeout(60)
    void floodOfAnnouncesWhileTheRegistryIsBusyWaitsInTcpAndIsAppliedAfterwards() throws Exception {
        try (RawClient first = connect(); RawClient second = connect()) {
            first.trackerHello(LISTEN_PORT);
            second.trackerHello(LISTEN_PORT + 1);
            int announces = 500;
            ByteBuffer flood = ByteBuffer.allocate(64 * 1024);
            for (int i = 0; i < announces; i++) {
                Frames.encode(announce(new ContentId(99, 0, 0, i), String.format("flood/%04d.ts", i)), flood);
            }
            Frames.encode(EmptyMessage.PING, flood);
            byte[] bytes = Arrays.copyOf(flood.array(), flood.position());

            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            tracker.registryLoop().execute(() -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            await(busy, "the registry loop is busy");
            try {
                first.sendBytes(bytes);
                second.sendBytes(bytes);
                for (RawClient c : List.of(first, second)) {
                    c.soTimeout(1_000);
                    assertThrows(SocketTimeoutException.class, c::read, "no PONG while the ANNOUNCEs before it wait");
                    c.soTimeout(RawClient.READ_TIMEOUT_MILLIS);
                }
            } finally {
                release.countDown();
            }
            for (RawClient c : List.of(first, second)) {
                c.expect(MessageType.PONG, b -> b);
                c.send(new ListStreams("flood/", 1000));
                Streams s = c.expect(MessageType.STREAMS, Streams::decode);
                assertEquals(announces, s.streams().size(), "every ANNOUNCE applied in the end");
            }
            assertEquals(2L * announces, tracker.entryCount());
        }
        awaitNoConnectionsAndNoEntries();
    }
}
