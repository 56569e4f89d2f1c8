package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.Loopback.ANY_PORT;
import static p2pstream.common.net.Loopback.onLoop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2pstream.common.data.Data;
import p2pstream.common.net.RawClient.Frame;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;

/**
 * A handler that has a buffer for a frame's payload ({@link ConnectionHandler#payloadBuffer}) gets the payload
 * read into it, whatever the reads are cut into, with the frames around it unchanged and in order; a payload cut
 * off by a close is never handed over; a handler that has none gets the payload gathered as before. Real loopback
 * sockets; a transport that cuts reads short makes the cuts.
 */
@Timeout(60)
class DirectPayloadTest {
    private static final int TAKEN = MessageType.CHUNK.code();
    /** Where the handler's buffers put a payload: not at 0, as a pooled buffer with a prefix of its own may. */
    private static final int OFFSET = 3;

    /** Reads at most {@code maxBytes} a call, into one buffer or across the buffers of a scattering read. */
    static final class ShortReads implements Transport {
        private final int maxBytes;
        /** Scattering reads that completed a payload and put bytes of what follows it in the read buffer. */
        final AtomicInteger bothFilled = new AtomicInteger();

        ShortReads(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public int read(ReadableByteChannel socket, ByteBuffer into) throws IOException {
            int limit = into.limit();
            into.limit(into.position() + Math.min(into.remaining(), maxBytes));
            try {
                return socket.read(into);
            } finally {
                into.limit(limit);
            }
        }

        @Override
        public long read(ScatteringByteChannel socket, ByteBuffer[] into) throws IOException {
            int[] limits = new int[into.length];
            int left = maxBytes;
            for (int i = 0; i < into.length; i++) {
                limits[i] = into[i].limit();
                int take = Math.min(into[i].remaining(), left);
                into[i].limit(into[i].position() + take);
                left -= take;
            }
            int secondBefore = into[1].position();
            try {
                return socket.read(into);
            } finally {
                for (int i = 0; i < into.length; i++) {
                    into[i].limit(limits[i]);
                }
                if (!into[0].hasRemaining() && into[1].position() > secondBefore) {
                    bothFilled.incrementAndGet();
                }
            }
        }

        @Override
        public long write(Data data, WritableByteChannel socket, long maxBytes) throws IOException {
            return data.writeTo(socket, maxBytes);
        }
    }

    /** Takes the payloads of TAKEN frames into buffers of its own (unless told not to) and records everything. */
    static final class Taker extends Loopback.Recorder {
        final List<ByteBuffer> given = new CopyOnWriteArrayList<>();
        final List<Integer> askedTypes = new CopyOnWriteArrayList<>();
        /** For each frame received, the buffer it came in when it was one of ours, else null. */
        final List<ByteBuffer> deliveredIn = new CopyOnWriteArrayList<>();
        /** Buffers still owed when the connection closed: the handler takes them back. */
        final List<ByteBuffer> owedAtClose = new CopyOnWriteArrayList<>();
        /** Answers null from this TAKEN frame on (0-based), until the next is asked. */
        volatile int declineFrom = Integer.MAX_VALUE;
        private int asked;
        private ByteBuffer owed;

        @Override
        public ByteBuffer payloadBuffer(int type, int payloadBytes) {
            askedTypes.add(type);
            if (type != TAKEN || asked++ >= declineFrom) {
                return null;
            }
            ByteBuffer b = ByteBuffer.allocateDirect(OFFSET + payloadBytes + 5).position(OFFSET);
            given.add(b);
            owed = b;
            return b;
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            boolean ours = payload == owed;
            if (ours) {
                owed = null;
            }
            deliveredIn.add(ours ? payload : ByteBuffer.allocate(0));
            super.onFrame(type, payload);
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

    private static byte[] random(int bytes, int seed) {
        byte[] b = new byte[bytes];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A server loop with one accepted connection under {@code transport}, and the client that made it. */
    private record Pair(EventLoop loop, ServerSocketChannel listener, RawClient client) implements AutoCloseable {
        static Pair open(ConnectionHandler handler, Limits limits, Transport transport) throws Exception {
            EventLoop loop = new EventLoop("direct").start();
            ServerSocketChannel listener = ServerSocketChannel.open().bind(ANY_PORT);
            RawClient client = RawClient.connect((InetSocketAddress) listener.getLocalAddress());
            var accepted = listener.accept();
            onLoop(loop, () -> loop.register(accepted, handler, limits, transport));
            return new Pair(loop, listener, client);
        }

        @Override
        public void close() throws Exception {
            client.close();
            listener.close();
            loop.close();
        }
    }

    private static final Limits LIMITS = Limits.CONTROL.withMaxFrameBytes(1024 * 1024);

    @ParameterizedTest(name = "reads of at most {0} bytes")
    @ValueSource(ints = {1, 7, 4096, Integer.MAX_VALUE})
    void payloadsLandInTheHandlersBuffersWhateverTheReadsAreCutInto(int readBytes) throws Exception {
        boolean small = readBytes <= 7; // one small write arrives whole: the cuts fall where the reads make them
        byte[] first = random(small ? 3_000 : 40_000, 1);
        byte[] second = random(12, 2);
        byte[] third = random(small ? 5_000 : 90_000, 3);
        byte[] control = random(9, 4);
        byte[] ping = WireBytes.frame(MessageType.PING.code(), new byte[0]);
        byte[] wire = concat(ping, WireBytes.frame(TAKEN, first), WireBytes.frame(TAKEN, second),
                WireBytes.frame(MessageType.HAVE.code(), control), WireBytes.frame(TAKEN, third), ping);
        Taker handler = new Taker();
        ShortReads reads = new ShortReads(readBytes);
        try (Pair pair = Pair.open(handler, LIMITS, reads)) {
            pair.client.sendBytes(wire); // one write: a payload's end and the next frame come in the same read
            List<Frame> got = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                got.add(handler.take());
            }
            assertEquals(List.of(MessageType.PING.code(), TAKEN, TAKEN, MessageType.HAVE.code(), TAKEN,
                    MessageType.PING.code()), got.stream().map(Frame::type).toList());
            assertArrayEquals(first, got.get(1).payload());
            assertArrayEquals(second, got.get(2).payload());
            assertArrayEquals(control, got.get(3).payload());
            assertArrayEquals(third, got.get(4).payload());

            // a payload taken is in the handler's buffer, from where it asked, exactly; the others are not
            int takenInOurs = 0;
            for (int i = 0; i < 6; i++) {
                ByteBuffer in = handler.deliveredIn.get(i);
                if (in.capacity() > 0) {
                    assertSame(handler.given.get(takenInOurs), in);
                    assertEquals(OFFSET + got.get(i).payload().length, in.limit(), "limit at the payload's end");
                    takenInOurs++;
                }
            }
            // the first TAKEN frame is always taken: its header arrives before its last byte
            assertTrue(takenInOurs >= (readBytes == Integer.MAX_VALUE ? 0 : 2), "taken: " + takenInOurs);
            assertEquals(handler.given.size(), takenInOurs, "every buffer given came back with its frame");
            if (readBytes == 7) {
                assertTrue(reads.bothFilled.get() > 0, "no read carried a payload's end and the next frame");
            }
            assertTrue(handler.owedAtClose.isEmpty());
        }
    }

    @Test
    void aLargePayloadArrivesInTheHandlersBufferAcrossManyReadsOfTheSocket() throws Exception {
        byte[] big = random(600_000, 5); // larger than the socket buffers: it arrives in many reads
        Taker handler = new Taker();
        try (Pair pair = Pair.open(handler, LIMITS, Transport.PLAINTEXT)) {
            pair.client.sendBytes(Arrays.copyOf(WireBytes.frame(TAKEN, big), Frames.HEADER_BYTES + 10));
            await("the handler was asked for a buffer", () -> handler.given.size() == 1);
            pair.client.sendBytes(concat(Arrays.copyOfRange(WireBytes.frame(TAKEN, big), Frames.HEADER_BYTES + 10,
                    Frames.HEADER_BYTES + big.length), WireBytes.frame(MessageType.PING.code(), new byte[0])));
            assertArrayEquals(big, handler.take().payload());
            assertSame(handler.given.get(0), handler.deliveredIn.get(0));
            assertEquals(MessageType.PING.code(), handler.take().type());
        }
    }

    @Test
    void aConnectionClosedMidPayloadLeavesTheBufferToItsHandlerAndNeverDeliversIt() throws Exception {
        byte[] payload = random(50_000, 6);
        Taker handler = new Taker();
        try (Pair pair = Pair.open(handler, LIMITS, Transport.PLAINTEXT)) {
            pair.client.sendBytes(Arrays.copyOf(WireBytes.frame(TAKEN, payload), 20_000));
            await("the handler was asked for a buffer", () -> handler.given.size() == 1);
            ByteBuffer b = handler.given.get(0);
            await("part of the payload read into it", () -> b.position() > OFFSET + 10_000);
            pair.client.close();
            await(handler.closed, "the connection closed");
            assertEquals("closed by peer", handler.closeReason);
            assertEquals(List.of(b), handler.owedAtClose);
            assertTrue(handler.frames.isEmpty(), "a cut-off payload was delivered");
            int position = b.position();
            assertEquals(Connection.State.CLOSED, onLoop(pair.loop, () -> handler.connection.state()));
            assertEquals(position, b.position(), "the connection wrote into the buffer after it closed");
        }
    }

    @Test
    void aHandlerWithNoBufferForAPayloadHasItGatheredInTheReadBuffer() throws Exception {
        byte[] taken = random(30_000, 7);
        byte[] declined = random(700_000, 8); // far beyond a lookahead read: gathered in full-size reads
        byte[] takenAgain = random(20_000, 9);
        Taker handler = new Taker();
        handler.declineFrom = 1;
        try (Pair pair = Pair.open(handler, LIMITS, new ShortReads(64 * 1024))) {
            byte[] first = WireBytes.frame(TAKEN, taken);
            pair.client.sendBytes(Arrays.copyOf(first, 100));
            await("the first payload taken", () -> handler.given.size() == 1);
            pair.client.sendBytes(concat(Arrays.copyOfRange(first, 100, first.length),
                    WireBytes.frame(TAKEN, declined)));
            assertArrayEquals(taken, handler.take().payload());
            assertArrayEquals(declined, handler.take().payload());
            handler.declineFrom = Integer.MAX_VALUE;
            byte[] last = WireBytes.frame(TAKEN, takenAgain);
            pair.client.sendBytes(Arrays.copyOf(last, 100));
            await("the third payload taken", () -> handler.given.size() == 2);
            pair.client.sendBytes(Arrays.copyOfRange(last, 100, last.length));
            assertArrayEquals(takenAgain, handler.take().payload());

            assertSame(handler.given.get(0), handler.deliveredIn.get(0));
            assertEquals(0, handler.deliveredIn.get(1).capacity(), "the declined payload came in a buffer of ours");
            assertSame(handler.given.get(1), handler.deliveredIn.get(2));
        }
    }

    @Test
    void framesTakenIntoHandlerBuffersCountAgainstTheFrameRateAndTheSizeLimit() throws Exception {
        Taker handler = new Taker();
        byte[] payload = random(2_000, 10);
        try (Pair pair = Pair.open(handler, LIMITS.withMaxFramesPerSecond(3), new ShortReads(100))) {
            byte[][] frames = new byte[10][];
            Arrays.fill(frames, WireBytes.frame(TAKEN, payload));
            pair.client.sendBytes(concat(frames)); // at most one new second begins among them: 5 in one
            pair.client.expectErrorThenEof(ErrorCode.RATE_LIMITED);
            assertTrue(handler.frames.size() < 10, "frames: " + handler.frames.size());
            assertFalse(handler.given.isEmpty(), "no payload was taken: the test tested nothing");
        }
        Taker second = new Taker();
        try (Pair pair = Pair.open(second, LIMITS.withMaxFrameBytes(1_000), Transport.PLAINTEXT)) {
            pair.client.sendBytes(Arrays.copyOf(WireBytes.frame(TAKEN, payload), 20));
            pair.client.expectErrorThenEof(ErrorCode.FRAME_TOO_LARGE);
            assertTrue(second.askedTypes.isEmpty(), "asked for a buffer for a frame over the limit");
        }
    }

    @Test
    void anErrorFrameIsNeverTakenIntoAHandlerBuffer() throws Exception {
        Taker handler = new Taker();
        byte[] error = Frames.encode(new ErrorMessage(ErrorCode.INTERNAL.code(), "x".repeat(500))).array();
        try (Pair pair = Pair.open(handler, LIMITS, new ShortReads(50))) {
            pair.client.sendBytes(error);
            await(handler.closed, "the connection closed on the peer's ERROR");
            assertTrue(handler.closeReason.startsWith("peer error"), handler.closeReason);
            assertFalse(handler.askedTypes.contains(MessageType.ERROR.code()));
        }
    }
}
