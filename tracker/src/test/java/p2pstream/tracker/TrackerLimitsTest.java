package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.wire.ErrorCode.RATE_LIMITED;
import static p2pstream.common.wire.ErrorCode.TIMEOUT;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.HostileSends;
import p2pstream.common.net.Limits;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Wire;

/**
 * The tracker's limits under floods: frames per second, connections, idle time, the control frame size for
 * long answers, and the outbound watermark for a client that never reads.
 */
class TrackerLimitsTest extends TrackerFixture {

    @HostileCase(value = "Frame flood: 2001 PINGs in one burst after HELLO (tracker, 2000 frames/s)",
            expect = "PONGs up to the limit, then ERROR RATE_LIMITED then EOF; nothing left behind; good sessions"
                    + " served", section = HostileCase.FLOODS)
    @Timeout(30)
    void floodOfPingsBeyondTheFrameRateGetsRateLimitedThenClose(Trial trial) throws Exception {
        try (RawClient c = connect()) {
            c.trackerHello(LISTEN_PORT);
            int burst = 2001; // HELLO + 2001 frames: more than 2000 frames in one second whatever the window
            ByteBuffer b = ByteBuffer.allocate(burst * Frames.HEADER_BYTES);
            for (int i = 0; i < burst; i++) {
                Frames.encode(EmptyMessage.PING, b);
            }
            c.sendBytes(b.array());
            int pongs = HostileSends.answersBeforeError(c, MessageType.PONG, RATE_LIMITED);
            assertTrue(pongs >= 1998 && pongs <= 2000, "PONGs before the limit: " + pongs);
            c.expectEof();
            trial.record("PONGs before ERROR RATE_LIMITED", pongs);
        }
        awaitNoConnectionsAndNoEntries();
        assertGoodSessionsWork();
    }

    /**
     * LOOKUPs are answered on the registry loop, at most a few in flight per session; a burst of 6000 passes
     * 2000 frames in a second on any machine that answers faster than that, and is cut off.
     */
    @HostileCase(value = "Frame flood: 6000 LOOKUPs in one burst after HELLO (tracker, 2000 frames/s)",
            expect = "PEERS answers until a second's count passes the limit, then ERROR RATE_LIMITED then EOF; a good"
                    + " session is answered meanwhile",
            section = HostileCase.FLOODS)
    @Timeout(60)
    void floodOfLookupsBeyondTheFrameRateGetsRateLimitedThenClose(Trial trial) throws Exception {
        try (RawClient seed = connect(); RawClient flood = connect(); RawClient calm = connect()) {
            announceMovie(seed, LISTEN_PORT);
            flood.trackerHello(0);
            calm.trackerHello(0);
            int burst = 6000;
            Lookup lookup = Lookup.byContentId(ID, 50);
            ByteBuffer b = ByteBuffer.allocate(burst * (Frames.HEADER_BYTES + lookup.payloadLength()));
            for (int i = 0; i < burst; i++) {
                Frames.encode(lookup, b);
            }
            flood.sendBytes(b.array());
            calm.send(Lookup.byContentId(ID, 50));
            assertEquals(1, calm.expect(MessageType.PEERS, Peers::decode).peers().size(), "the calm asker is answered");
            int answers = HostileSends.answersBeforeError(flood, MessageType.PEERS, RATE_LIMITED);
            flood.expectEof();
            assertTrue(answers < burst - 2000, "answers before the limit: " + answers);
            trial.record("PEERS answers before ERROR RATE_LIMITED", answers);
            calm.send(Lookup.byContentId(ID, 50));
            assertEquals(1, calm.expect(MessageType.PEERS, Peers::decode).peers().size(),
                    "the calm asker is still answered");
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void listOfManyStreamsWithLongestNamesFitsOneControlFrame() throws Exception {
        try (RawClient a = connect()) {
            a.trackerHello(LISTEN_PORT);
            int streams = 120; // 120 x ~1.1 KB: twice what fits in one 64 KiB frame
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                String name = String.format("%04d/", i) + "n".repeat(Wire.MAX_NAME_BYTES - 5);
                batch.add(announce(new ContentId(77, 0, 0, i), name));
            }
            a.send(batch.toArray(new Message[0]));
            a.send(new ListStreams("", 65535), new ListStreams("0001", 65535));
            Streams all = a.expect(MessageType.STREAMS, Streams::decode);
            assertTrue(all.streams().size() > 10 && all.streams().size() < streams,
                    "as many as fit one frame: " + all.streams().size());
            assertTrue(Frames.HEADER_BYTES + all.payloadLength()
                    <= Wire.LENGTH_FIELD_BYTES + Wire.MAX_CONTROL_FRAME_BYTES);
            Streams one = a.expect(MessageType.STREAMS, Streams::decode);
            assertEquals(1, one.streams().size(), "the filter is a substring match");
            assertEquals(streams, tracker.entryCount());
        }
        awaitNoConnectionsAndNoEntries();
    }

    /**
     * A client sends 1990 LISTs (9 bytes each, under the 2000 frames/s limit) whose answers are ~64 KiB each,
     * and never reads. Backpressure should hold the tracker to about the 1 MiB outbound watermark per
     * connection ("backlog waits in TCP, not in the heap"): the session stops reading once a few answers are
     * in flight on the registry loop.
     */
    @HostileCase(value = "Never reading: 1990 LISTs of ~64 KiB answers pipelined (tracker)",
            expect = "the session stops reading at the outbound watermark: heap growth under 32 MiB; another asker"
                    + " answered", section = HostileCase.FLOODS)
    @Timeout(60)
    void clientThatPipelinesListsAndNeverReadsIsHeldToTheOutboundWatermarkNotTheHeap(Trial trial) throws Exception {
        try (RawClient seed = connect();
             RawClient greedy = connect();
             RawClient asker = connect()) {
            seed.trackerHello(LISTEN_PORT);
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                batch.add(announce(new ContentId(88, 0, 0, i),
                        String.format("%04d/", i) + "n".repeat(Wire.MAX_NAME_BYTES - 5)));
            }
            seed.send(batch.toArray(new Message[0]));
            seed.send(new ListStreams("", 1000));
            Streams answer = seed.expect(MessageType.STREAMS, Streams::decode);
            assertTrue(answer.payloadLength() > 60_000, "each LIST answer is nearly a full frame");
            greedy.trackerHello(0);
            asker.trackerHello(0);
            long before = usedHeapAfterGc();
            int lists = 1990;
            ByteBuffer burst = ByteBuffer.allocate(lists * (Frames.HEADER_BYTES + 4));
            for (int i = 0; i < lists; i++) {
                Frames.encode(new ListStreams("", 1000), burst);
            }
            greedy.sendBytes(burst.array());
            long grown = 0;
            for (int round = 0; round < 10; round++) {
                asker.send(new ListStreams("no-such-stream", 1)); // a round trip through the registry loop
                asker.expect(MessageType.STREAMS, Streams::decode);
                grown = Math.max(grown, usedHeapAfterGc() - before);
            }
            long mib = grown / (1024 * 1024);
            trial.record("heap growth MiB", grown / (1024.0 * 1024));
            trial.record("answers asked for MiB", lists * (double) answer.payloadLength() / (1024 * 1024));
            assertTrue(mib < 32, "heap held for one connection that does not read: " + mib + " MiB ("
                    + lists + " answers of " + answer.payloadLength() + " bytes; watermark "
                    + Limits.CONTROL.highWatermarkBytes() / 1024 + " KiB)");
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @HostileCase(value = "Connections beyond the limit: 5 over 3 (tracker)",
            expect = "each extra gets ERROR TOO_MANY_CONNECTIONS then EOF; the 3 sessions stay served; a freed slot"
                    + " is reused", section = HostileCase.FLOODS)
    @Timeout(30)
    void connectionsBeyondTheLimitGetTooManyConnectionsThenCloseAndTheOthersStayUsable(Trial trial) throws Exception {
        try (Tracker small = Tracker.start(new Tracker.Config(new InetSocketAddress("127.0.0.1", 0), 2, 3, 60_000))) {
            List<RawClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawClient c = RawClient.secure(small.address());
                    c.trackerHello(LISTEN_PORT + i);
                    open.add(c);
                }
                for (int i = 0; i < 5; i++) {
                    try (RawClient extra = RawClient.secure(small.address())) {
                        extra.expectErrorThenEof(ErrorCode.TOO_MANY_CONNECTIONS);
                    }
                }
                trial.record("extras refused with ERROR TOO_MANY_CONNECTIONS then EOF", 5);
                assertEquals(3, small.connectionCount());
                open.get(0).assertServed();
                open.remove(0).close();
                await("a slot frees up", () -> small.connectionCount() == 2);
                RawClient again = RawClient.secure(small.address());
                open.add(again);
                again.trackerHello(LISTEN_PORT);
            } finally {
                for (RawClient c : open) {
                    c.close();
                }
            }
            await("all closed", () -> small.connectionCount() == 0);
        }
    }

    @HostileCase(value = "Idle after HELLO: silent session that announced (tracker, session timeout 1 s)",
            expect = "ERROR TIMEOUT then EOF, its entries removed; a session that PINGs stays",
            section = HostileCase.FLOODS)
    @Timeout(30)
    void silentSessionIsDroppedWithTimeoutAndItsEntriesRemovedWhilePingingOneStays(Trial trial) throws Exception {
        long timeout = 1_000;
        try (Tracker quick = Tracker.start(new Tracker.Config(new InetSocketAddress("127.0.0.1", 0), 2, 100, timeout));
             RawClient silent = RawClient.secure(quick.address());
             RawClient pinging = RawClient.secure(quick.address())) {
            announceMovie(silent, LISTEN_PORT);
            announceMovie(pinging, LISTEN_PORT + 1);
            assertEquals(2, quick.entryCount());
            silent.soTimeout((int) timeout * 10);
            long start = System.nanoTime();
            long lastPing = start;
            // the pinging session PINGs every 200 ms (a third of the timeout and less) until the silent one is dropped
            CompletableFuture<ErrorMessage> dropped = CompletableFuture.supplyAsync(() -> {
                try {
                    return silent.expectErrorThenEof(TIMEOUT);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            while (!dropped.isDone()) {
                if (System.nanoTime() - lastPing >= 200_000_000L) {
                    pinging.assertServed();
                    lastPing = System.nanoTime();
                }
                LockSupport.parkNanos(5_000_000);
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "silent session never dropped");
            }
            assertNotNull(dropped.get());
            trial.recordSecondsSince("seconds until closed", start);
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(timeout / 2), "not dropped early");
            await("the silent session's entry removed", () -> quick.entryCount() == 1);
            pinging.send(Lookup.byContentId(ID, 10));
            assertTrue(pinging.expect(MessageType.PEERS, Peers::decode).peers().isEmpty(),
                    "only the asker holds it now");
            assertEquals(1, quick.connectionCount());
        }
    }
}
