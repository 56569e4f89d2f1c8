package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.Loopback.ANY_PORT;
import static p2pstream.common.net.Loopback.onLoop;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.data.BufferData;
import p2pstream.common.net.Loopback.EchoHandler;
import p2pstream.common.net.Loopback.Recorder;
import p2pstream.common.net.RawClient.Frame;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/** Outbound watermarks and the upload cap, on real loopback sockets. */
@Timeout(60)
class BackpressureTest {
    private static final int KiB = 1024;

    /** Answers each REQUEST(i) with {@code answerBytes} bytes all equal to (byte) i; tracks the peak backlog. */
    static final class Answerer extends Recorder {
        final int answerBytes;
        final AtomicInteger answered = new AtomicInteger();
        final AtomicLong maxPending = new AtomicLong();

        Answerer(int answerBytes) {
            this.answerBytes = answerBytes;
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            int index = IndexMessage.decode(MessageType.REQUEST, payload).index();
            byte[] answer = new byte[answerBytes];
            Arrays.fill(answer, (byte) index);
            answered.incrementAndGet(); // before the send, which may put the whole answer on the wire at once
            connection.send(BufferData.of(ByteBuffer.wrap(answer)));
            maxPending.accumulateAndGet(connection.pendingBytes(), Math::max);
        }
    }

    static void readAnswer(RawClient client, int index, int bytes) throws Exception {
        byte[] got = new byte[bytes];
        client.readFully(got);
        byte[] expected = new byte[bytes];
        Arrays.fill(expected, (byte) index);
        assertArrayEquals(expected, got, "answer " + index);
    }

    static IndexMessage[] requests(int n) {
        IndexMessage[] r = new IndexMessage[n];
        Arrays.setAll(r, IndexMessage::request);
        return r;
    }

    @Test
    void stopsReadingAboveTheHighWatermarkUntilTheClientReads() throws Exception {
        Limits limits = Limits.CONTROL;
        int answerBytes = 256 * KiB;
        int n = 64; // 16 MiB of answers: far more than the socket buffers hold
        Answerer server = new Answerer(answerBytes);
        try (EventLoopGroup group = new EventLoopGroup("bp", 1);
             Acceptor acceptor = Acceptor.open(group, ANY_PORT, () -> server, limits, 10, null);
             RawClient client = RawClient.connect(acceptor.localAddress(), Wire.MAX_CONTROL_FRAME_BYTES, 32 * KiB)) {
            client.send(requests(n)); // and read nothing for now
            await(server.opened, "server open");
            EventLoop loop = server.connection.loop();
            await("the server connection to pass its high watermark", () -> {
                try {
                    return onLoop(loop, () -> !server.connection.isWritable());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            int answeredWhileBlocked = server.answered.get();
            assertTrue(answeredWhileBlocked < n, "the server kept reading requests: " + answeredWhileBlocked);

            for (int i = 0; i < n; i++) {
                readAnswer(client, i, answerBytes);
            }
            assertEquals(n, server.answered.get());
            assertTrue(server.maxPending.get() < limits.highWatermarkBytes() + answerBytes,
                    "pending bytes peaked at " + server.maxPending.get());
            assertEquals(0L, onLoop(loop, server.connection::pendingBytes));
            assertTrue(onLoop(loop, server.connection::isOpen));
        }
    }

    /**
     * Two million PONGs (10 MB on the wire) queued for a peer that does not read: what the socket does not take
     * waits in the heap, and takes about its bytes there, not an object per 5-byte frame. Then the peer reads
     * every one of them, in order.
     */
    @Test
    void smallFramesQueuedForAPeerThatDoesNotReadTakeAboutTheirBytesOfHeap() throws Exception {
        int pongs = 2_000_000;
        Recorder server = new Recorder() {
            @Override
            public void onFrame(int type, ByteBuffer payload) {
                for (int i = 0; i < pongs; i++) {
                    connection.send(EmptyMessage.PONG);
                }
            }
        };
        try (EventLoopGroup group = new EventLoopGroup("small-frames", 1);
             Acceptor acceptor = Acceptor.open(group, ANY_PORT, () -> server, Limits.CONTROL, 10, null);
             RawClient client = RawClient.connect(acceptor.localAddress(), Wire.MAX_CONTROL_FRAME_BYTES, 32 * KiB)) {
            long heapBefore = usedHeapAfterGc();
            client.send(EmptyMessage.PING);
            await(server.opened, "server open");
            EventLoop loop = server.connection.loop();
            await("every PONG queued", () -> {
                try {
                    return onLoop(loop, () -> server.connection.bytesWritten() + server.connection.pendingBytes())
                            == 5L * pongs;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            long queued = onLoop(loop, server.connection::pendingBytes);
            long heapGrowth = usedHeapAfterGc() - heapBefore;
            assertTrue(queued > 2 * 1024 * KiB, "queued: " + queued + " bytes (the socket took the rest)");
            assertTrue(heapGrowth < 2 * queued + 2 * 1024 * KiB, "heap growth: " + heapGrowth + " bytes for "
                    + queued + " queued bytes of PONGs");
            for (int i = 0; i < pongs; i++) {
                assertEquals(MessageType.PONG.code(), client.read().type(), "PONG " + i);
            }
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void readsOnWhenOneSendPassesTheHighWatermarkButDrainsAtOnce() throws Exception {
        Limits limits = Limits.CONTROL.withWatermarks(4 * KiB, KiB);
        int answerBytes = 8 * KiB; // above the high watermark, yet a fresh socket takes it in one write
        Answerer server = new Answerer(answerBytes);
        try (EventLoopGroup group = new EventLoopGroup("drain", 1);
             Acceptor acceptor = Acceptor.open(group, ANY_PORT, () -> server, limits, 10, null);
             RawClient client = RawClient.connect(acceptor.localAddress())) {
            for (int i = 0; i < 5; i++) {
                client.send(IndexMessage.request(i));
                readAnswer(client, i, answerBytes);
            }
            assertEquals(5, server.answered.get());
        }
    }

    @Test
    void readsAnswersAfterFramesQueuedWhileConnectingPassedTheHighWatermark() throws Exception {
        Limits clientLimits = Limits.CONTROL.withWatermarks(4 * KiB, KiB);
        byte[] manifest = new byte[8 * KiB];
        Arrays.fill(manifest, (byte) 0x5a);
        try (EventLoopGroup group = new EventLoopGroup("echo", 1);
             EventLoop clientLoop = new EventLoop("early").start();
             Acceptor acceptor = Acceptor.open(group, ANY_PORT, EchoHandler::new, Limits.CONTROL, 10, null)) {
            Recorder client = new Recorder();
            Connection c = onLoop(clientLoop, () -> {
                Connection conn = clientLoop.connect(acceptor.localAddress(), client, clientLimits);
                conn.send(new ManifestMessage(manifest)); // queued while connecting, above the high watermark
                return conn;
            });
            Frame echo = client.take();
            assertEquals(MessageType.MANIFEST.code(), echo.type());
            assertArrayEquals(manifest, echo.payload());
            onLoop(clientLoop, () -> {
                c.send(IndexMessage.have(9));
                return null;
            });
            assertEquals(MessageType.HAVE.code(), client.take().type());
        }
    }

    @Test
    void capsUploadNearTheTokenBucketRateWithoutHoggingTheLoop() throws Exception {
        long bytesPerSecond = 1024 * KiB;
        int answerBytes = 1536 * KiB;
        TokenBucket cap = new TokenBucket(bytesPerSecond, Clock.SYSTEM);
        Answerer server = new Answerer(answerBytes);
        try (EventLoopGroup group = new EventLoopGroup("capped", 1);
             Acceptor acceptor = Acceptor.open(group, ANY_PORT, () -> server, Limits.CONTROL, 10, cap);
             RawClient client = RawClient.connect(acceptor.localAddress())) {
            long start = System.nanoTime();
            client.send(IndexMessage.request(7));
            byte[] first = new byte[16 * KiB];
            client.readFully(first);
            // while the capped answer trickles out, the loop must be free for other work: a task run now sees
            // most of the answer still queued (a loop spinning on the bucket would run it only at the end)
            long queued = onLoop(server.connection.loop(), server.connection::pendingBytes);
            assertTrue(queued > answerBytes / 4, "the loop ran other work only after the capped transfer: " + queued);
            readAnswer(client, 7, answerBytes - first.length);
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = answerBytes / seconds;
            assertTrue(rate <= 2.0 * bytesPerSecond,
                    String.format("sent %.0f bytes/s with a cap of %d bytes/s", rate, bytesPerSecond));
            client.send(IndexMessage.request(8));
            readAnswer(client, 8, answerBytes); // still served after a capped transfer that passed the watermark
        }
    }
}
