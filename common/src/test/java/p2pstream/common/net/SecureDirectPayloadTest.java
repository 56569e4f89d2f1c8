package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.Loopback.ANY_PORT;
import static p2pstream.common.net.Loopback.onLoop;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import p2pstream.common.data.BufferData;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.RawClient.Frame;
import p2pstream.common.noise.Records;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;

/**
 * Direct receive under the secure transport: CHUNK payloads smaller and larger than a record, cut into records
 * of every size, land byte-identical and in order in the handler's pooled buffers, with the frames around them;
 * a record that holds the end of one payload and the start of what follows loses nothing, nor does a pause of
 * reading while the transport holds opened bytes, nor the end of the stream right after the last frame; a payload
 * cut off by the close is never handed over. Two event loops on real loopback sockets.
 */
@Timeout(120)
class SecureDirectPayloadTest {
    private static final int TAKEN = MessageType.CHUNK.code();
    private static final int OFFSET = 3;
    private static final int MAX_PAYLOAD_BYTES = 300_000;
    private static final Limits LIMITS = Limits.CONTROL.withMaxFrameBytes(1024 * 1024);
    private static final StaticKey SENDER_KEY = StaticKey.of(Identity.generate());
    private static final StaticKey RECEIVER_KEY = StaticKey.of(Identity.generate());
    /** Around a record's plaintext (frame header 5 bytes) and the lookahead, and well past both. */
    private static final int[] PAYLOAD_BYTES = {0, 1, 2, 100, 1_000, 1_019, 1_020, 4_000,
        Records.MAX_PLAINTEXT_BYTES - 6, Records.MAX_PLAINTEXT_BYTES - 5, Records.MAX_PLAINTEXT_BYTES - 4,
        Records.MAX_PLAINTEXT_BYTES, Records.MAX_PLAINTEXT_BYTES + 1, 2 * Records.MAX_PLAINTEXT_BYTES, 40_000,
        100_000, 262_144};

    /**
     * Takes CHUNK payloads into a pool of two buffers, each overwritten as soon as its frame is copied (a late write
     * into one would show in the next payload), declines every {@code declineEvery}-th, and pauses reading after
     * every {@code pauseEvery}-th frame until a task of the loop resumes it.
     */
    static final class PooledTaker extends Loopback.Recorder {
        final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();
        final AtomicInteger given = new AtomicInteger();
        final AtomicInteger deliveredInOurs = new AtomicInteger();
        final List<ByteBuffer> owedAtClose = new CopyOnWriteArrayList<>();
        final List<String> faults = new CopyOnWriteArrayList<>();
        private final int declineEvery;
        private final int pauseEvery;
        private int asked;
        private int seen;
        private ByteBuffer owed;

        PooledTaker(int declineEvery, int pauseEvery) {
            this.declineEvery = declineEvery;
            this.pauseEvery = pauseEvery;
            for (int i = 0; i < 2; i++) {
                pool.add(ByteBuffer.allocateDirect(OFFSET + MAX_PAYLOAD_BYTES + 5));
            }
        }

        @Override
        public ByteBuffer payloadBuffer(int type, int payloadBytes) {
            if (type != TAKEN || ++asked % declineEvery == 0) {
                return null;
            }
            if (owed != null) {
                faults.add("asked for a buffer while one is owed");
            }
            ByteBuffer b = pool.poll();
            b.clear().position(OFFSET);
            owed = b;
            given.incrementAndGet();
            return b;
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            super.onFrame(type, payload);
            if (owed != null && payload == owed) {
                if (payload.position() != OFFSET) {
                    faults.add("payload at " + payload.position() + " (expected: " + OFFSET + ")");
                }
                owed = null;
                deliveredInOurs.incrementAndGet();
                payload.clear();
                while (payload.hasRemaining()) {
                    payload.put((byte) 0x5A);
                }
                pool.add(payload);
            }
            if (pauseEvery > 0 && ++seen % pauseEvery == 0) {
                Connection c = connection;
                c.autoRead(false);
                c.loop().execute(() -> c.autoRead(true));
            }
        }

        @Override
        public void onClose(String reason) {
            if (owed != null) {
                owedAtClose.add(owed);
                owed = null;
            }
            super.onClose(reason);
        }
    }

    /** A secure connection between two loops: the sender's end and the receiver's, either side dialling. */
    private record Pair(EventLoop senderLoop, EventLoop receiverLoop, ServerSocketChannel listener,
                        Loopback.Recorder sender, PooledTaker receiver) implements AutoCloseable {
        static Pair open(PooledTaker receiver, boolean receiverDials) throws Exception {
            Pair pair = open(receiver, receiverDials, new Loopback.Recorder());
            // a first frame across: both ends are past the handshake
            pair.send(WireBytes.frame(MessageType.PING.code(), new byte[0]), List.of(Frames.HEADER_BYTES), false);
            assertEquals(MessageType.PING.code(), receiver.take().type());
            return pair;
        }

        static Pair open(PooledTaker receiver, boolean receiverDials, Loopback.Recorder sender) throws Exception {
            EventLoop senderLoop = new EventLoop("secure-direct-sender").start();
            EventLoop receiverLoop = new EventLoop("secure-direct-receiver").start();
            ServerSocketChannel listener = ServerSocketChannel.open().bind(ANY_PORT);
            InetSocketAddress address = (InetSocketAddress) listener.getLocalAddress();
            Pair pair = new Pair(senderLoop, receiverLoop, listener, sender, receiver);
            if (receiverDials) {
                onLoop(receiverLoop, () -> receiverLoop.connect(address, receiver, LIMITS, RECEIVER_KEY,
                        SENDER_KEY.peerId()));
                accept(senderLoop, listener, sender, SENDER_KEY);
            } else {
                onLoop(senderLoop, () -> senderLoop.connect(address, sender, LIMITS, SENDER_KEY,
                        RECEIVER_KEY.peerId()));
                accept(receiverLoop, listener, receiver, RECEIVER_KEY);
            }
            await(sender.opened, "sender open");
            await(receiver.opened, "receiver open");
            return pair;
        }

        private static void accept(EventLoop loop, ServerSocketChannel listener, ConnectionHandler handler,
                                   StaticKey key) throws Exception {
            SocketChannel accepted = listener.accept();
            InetSocketAddress remote = (InetSocketAddress) accepted.getRemoteAddress();
            onLoop(loop, () -> loop.register(accepted, handler, LIMITS, loop.transport(key, false, null,
                    remote)));
        }

        /** Sends {@code wire} from the sender as pieces of the given sizes: each piece is sealed in its own records. */
        void send(byte[] wire, List<Integer> pieces, boolean thenClose) throws Exception {
            onLoop(senderLoop, () -> {
                int at = 0;
                for (int size : pieces) {
                    sender.connection.send(BufferData.of(ByteBuffer.wrap(wire, at, size).slice()));
                    at += size;
                }
                if (thenClose) {
                    sender.connection.closeAfterFlush("done");
                }
                return null;
            });
        }

        long receivedBytes() throws Exception {
            return onLoop(receiverLoop, () -> receiver.connection.bytesRead());
        }

        @Override
        public void close() throws Exception {
            listener.close();
            senderLoop.close();
            receiverLoop.close();
        }
    }

    private static byte[] random(int bytes, SplittableRandom random) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return b;
    }

    /** Record-sized pieces, tiny ones, and pieces of several records, covering {@code total} bytes. */
    private static List<Integer> pieces(int total, SplittableRandom random) {
        int[] sizes = {1, 3, 5, 17, 1_000, 1_024, Records.MAX_PLAINTEXT_BYTES - 1, Records.MAX_PLAINTEXT_BYTES,
            Records.MAX_PLAINTEXT_BYTES + 1, 50_000, 200_000};
        List<Integer> pieces = new ArrayList<>();
        for (int left = total; left > 0; ) {
            int size = Math.min(left, random.nextInt(3) == 0 ? 1 + random.nextInt(70_000)
                    : sizes[random.nextInt(sizes.length)]);
            pieces.add(size);
            left -= size;
        }
        return pieces;
    }

    /** Frames: CHUNKs of every size in PAYLOAD_BYTES, shuffled, with HAVE and PING between some of them. */
    private static List<Frame> frames(int count, SplittableRandom random) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int kind = random.nextInt(6);
            if (kind == 0) {
                frames.add(new Frame(MessageType.HAVE.code(), random(9, random)));
            } else if (kind == 1) {
                frames.add(new Frame(MessageType.PING.code(), new byte[0]));
            } else {
                frames.add(new Frame(TAKEN, random(PAYLOAD_BYTES[random.nextInt(PAYLOAD_BYTES.length)], random)));
            }
        }
        return frames;
    }

    private static byte[] wire(List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            out.writeBytes(WireBytes.frame(f.type(), f.payload()));
        }
        return out.toByteArray();
    }

    private static void assertArrived(List<Frame> sent, PooledTaker receiver, String where) throws Exception {
        for (int i = 0; i < sent.size(); i++) {
            Frame got = receiver.frames.poll(Loopback.WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(got, where + ": frame " + i + " of " + sent.size() + " (type " + sent.get(i).type() + ", "
                    + sent.get(i).payload().length + " bytes) did not arrive; closed: " + receiver.closeReason);
            assertEquals(sent.get(i).type(), got.type(), where + ", frame " + i);
            assertArrayEquals(sent.get(i).payload(), got.payload(), where + ", frame " + i + " of "
                    + sent.get(i).payload().length + " bytes");
        }
    }

    @ParameterizedTest(name = "receiver dials: {0}, declines every {1}, pauses every {2}")
    @CsvSource({"true, 1000000, 0", "false, 1000000, 0", "true, 5, 0", "true, 1000000, 7", "false, 4, 3"})
    void everyPayloadArrivesWholeAndInOrderWhateverTheRecordsAreCutInto(boolean receiverDials, int declineEvery,
                                                                        int pauseEvery) throws Exception {
        SplittableRandom random = new SplittableRandom(declineEvery * 31L + pauseEvery + (receiverDials ? 1 : 0));
        PooledTaker receiver = new PooledTaker(declineEvery, pauseEvery);
        long sentBytes = 0;
        try (Pair pair = Pair.open(receiver, receiverDials)) {
            for (int round = 0; round < 12; round++) {
                List<Frame> frames = frames(25, random);
                byte[] wire = wire(frames);
                pair.send(wire, pieces(wire.length, random), false);
                sentBytes += wire.length;
                assertArrived(frames, receiver, "round " + round);
            }
            assertNull(receiver.closeReason, "closed");
            assertEquals(sentBytes + Frames.HEADER_BYTES, pair.receivedBytes(), "frame-stream bytes received");
            assertTrue(receiver.frames.isEmpty(), "frames beyond those sent: " + receiver.frames.size());
            assertTrue(receiver.deliveredInOurs.get() > 50, "taken: " + receiver.deliveredInOurs.get());
            assertEquals(receiver.given.get(), receiver.deliveredInOurs.get(), "every buffer came back with its frame");
            assertEquals(List.of(), receiver.faults);
        }
    }

    @ParameterizedTest(name = "receiver dials: {0}")
    @CsvSource({"true", "false"})
    void framesSentJustBeforeTheEndAllArriveBeforeTheClose(boolean receiverDials) throws Exception {
        SplittableRandom random = new SplittableRandom(77);
        PooledTaker receiver = new PooledTaker(1_000_000, 0);
        try (Pair pair = Pair.open(receiver, receiverDials)) {
            List<Frame> frames = new ArrayList<>();
            frames.add(new Frame(TAKEN, random(100, random)));
            frames.add(new Frame(TAKEN, random(40_000, random)));
            for (int i = 0; i < 300; i++) {
                frames.add(new Frame(MessageType.HAVE.code(), random(9, random))); // a record full of frames
            }
            frames.add(new Frame(TAKEN, random(3, random)));
            byte[] wire = wire(frames);
            pair.send(wire, List.of(WireBytes.frame(TAKEN, frames.get(0).payload()).length + 7,
                    wire.length - WireBytes.frame(TAKEN, frames.get(0).payload()).length - 7), true);
            assertArrived(frames, receiver, "before the end");
            await(receiver.closed, "the receiver closed");
            assertEquals("closed by peer", receiver.closeReason);
            assertEquals(List.of(), receiver.owedAtClose);
            assertTrue(receiver.frames.isEmpty());
        }
    }

    @Test
    void aBulkTransferIsSealedAndReadABatchOfRecordsAtATime() throws Exception {
        SplittableRandom random = new SplittableRandom(91);
        PooledTaker receiver = new PooledTaker(1_000_000, 0);
        try (Pair pair = Pair.open(receiver, true)) {
            List<Frame> sent = frames(200, random);
            byte[] wire = wire(sent);
            pair.send(wire, List.of(wire.length), false);
            assertArrived(sent, receiver, "bulk");
            EventLoop sender = pair.senderLoop();
            EventLoop reader = pair.receiverLoop();
            assertTrue(onLoop(sender, () -> sender.recordBuffers().batchesAllocated()) > 0,
                    "the sender sealed " + wire.length + " bytes without a batch of records");
            assertTrue(onLoop(reader, () -> reader.recordBuffers().batchesAllocated()) > 0,
                    "the receiver read " + wire.length + " bytes without a batch of records");
        }
    }

    @Test
    void aPayloadCutOffByTheCloseIsNeverHandedOver() throws Exception {
        SplittableRandom random = new SplittableRandom(78);
        PooledTaker receiver = new PooledTaker(1_000_000, 0);
        try (Pair pair = Pair.open(receiver, true)) {
            byte[] whole = random(40_000, random);
            byte[] cut = random(50_000, random);
            byte[] wire = WireBytes.concat(WireBytes.frame(TAKEN, whole), Arrays.copyOf(WireBytes.frame(TAKEN, cut),
                    20_000));
            pair.send(wire, List.of(wire.length), true);
            assertArrayEquals(whole, receiver.take().payload());
            await(receiver.closed, "the receiver closed");
            assertEquals("closed by peer", receiver.closeReason);
            assertEquals(1, receiver.owedAtClose.size(), "the cut payload's buffer back to its handler");
            assertTrue(receiver.frames.isEmpty(), "a cut-off payload was delivered");
        }
    }

    @ParameterizedTest(name = "receiver dials: {0}")
    @CsvSource({"true", "false"})
    void framesQueuedAndClosedWithinTheHandshakeStillArrive(boolean receiverDials) throws Exception {
        SplittableRandom random = new SplittableRandom(79);
        List<Frame> frames = List.of(new Frame(TAKEN, random(40_000, random)),
                new Frame(MessageType.HAVE.code(), random(9, random)));
        byte[] wire = wire(frames);
        Loopback.Recorder sender = new Loopback.Recorder() {
            @Override
            public void onOpen(Connection c) {
                super.onOpen(c); // the handshake has just begun: a refusal sent at once, say
                c.send(BufferData.of(ByteBuffer.wrap(wire)));
                c.closeAfterFlush("done");
            }
        };
        PooledTaker receiver = new PooledTaker(1_000_000, 0);
        try (Pair pair = Pair.open(receiver, receiverDials, sender)) {
            assertArrived(frames, receiver, "queued within the handshake");
            await(receiver.closed, "the receiver closed");
            assertEquals("closed by peer", receiver.closeReason);
            await(sender.closed, "the sender closed");
            assertEquals("done", sender.closeReason);
        }
    }
}
