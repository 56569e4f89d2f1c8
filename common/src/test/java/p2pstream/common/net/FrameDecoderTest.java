package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

class FrameDecoderTest {
    private static final List<Message> MESSAGES = List.of(EmptyMessage.PING, IndexMessage.request(7),
            new ErrorMessage(5, "out of order"), new ListStreams("bunny", 10), EmptyMessage.HAVE_ALL);

    /** The messages' frames back to back, and where each frame ends. */
    private static byte[] stream(List<Integer> ends) {
        ByteBuffer all = ByteBuffer.allocate(4096);
        for (Message m : MESSAGES) {
            all.put(Frames.encode(m));
            ends.add(all.position());
        }
        byte[] out = new byte[all.position()];
        all.flip().get(out);
        return out;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static byte[] payloadOf(Message m) {
        ByteBuffer f = Frames.encode(m);
        f.position(Frames.HEADER_BYTES);
        return bytes(f);
    }

    @Test
    void decodesEveryTruncationAsNeedMore() throws ProtocolException {
        List<Integer> ends = new ArrayList<>();
        byte[] all = stream(ends);
        for (int cut = 0; cut <= all.length; cut++) {
            ByteBuffer in = ByteBuffer.wrap(all, 0, cut);
            FrameDecoder decoder = new FrameDecoder(Wire.MAX_CONTROL_FRAME_BYTES);
            int frames = 0;
            ByteBuffer payload;
            while ((payload = decoder.next(in)) != null) {
                assertEquals(MESSAGES.get(frames).type().code(), decoder.type());
                assertArrayEquals(payloadOf(MESSAGES.get(frames)), bytes(payload));
                assertEquals(ends.get(frames), in.position(), "consumes exactly one frame");
                frames++;
            }
            int available = cut;
            int complete = (int) ends.stream().filter(e -> e <= available).count();
            assertEquals(complete, frames, "frames in the first " + cut + " bytes");
            int consumed = complete == 0 ? 0 : ends.get(complete - 1);
            assertEquals(consumed, in.position(), "an incomplete frame consumes nothing");
            assertNull(decoder.next(in), "asking again still needs more");
            assertEquals(consumed, in.position());
        }
    }

    @Test
    void decodesAByteAtATimeStreamInOrder() throws ProtocolException {
        List<Integer> ends = new ArrayList<>();
        byte[] all = stream(ends);
        FrameDecoder decoder = new FrameDecoder(Wire.MAX_CONTROL_FRAME_BYTES);
        ByteBuffer buffer = ByteBuffer.allocateDirect(64); // write mode, like a connection's read buffer
        List<Integer> types = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            buffer.put(all[i]);
            buffer.flip();
            ByteBuffer payload = decoder.next(buffer);
            if (payload != null) {
                types.add(decoder.type());
                assertArrayEquals(payloadOf(MESSAGES.get(types.size() - 1)), bytes(payload));
                assertEquals(ends.get(types.size() - 1), i + 1, "a frame is handed out the moment it is complete");
            }
            buffer.compact();
        }
        assertEquals(MESSAGES.stream().map(m -> m.type().code()).toList(), types);
    }

    @Test
    void rejectsLengthZeroAsMalformed() {
        FrameDecoder decoder = new FrameDecoder(Wire.MAX_CONTROL_FRAME_BYTES);
        ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.next(ByteBuffer.wrap(new byte[4])));
        assertEquals(ErrorCode.MALFORMED, e.code());
        assertThrows(ProtocolException.class, () -> decoder.frameBytes(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 9})));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x80000000, 0xFFFFFFFF, Wire.MAX_CONTROL_FRAME_BYTES + 1, 0x7FFFFFFF})
    void rejectsOversizedLengthAsSoonAsFourBytesArrive(int length) throws ProtocolException {
        FrameDecoder decoder = new FrameDecoder(Wire.MAX_CONTROL_FRAME_BYTES);
        byte[] prefix = ByteBuffer.allocate(4).putInt(length).array();
        for (int n = 0; n < 4; n++) {
            assertNull(decoder.next(ByteBuffer.wrap(prefix, 0, n)), "only " + n + " bytes of the length");
        }
        ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.next(ByteBuffer.wrap(prefix)));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
        e = assertThrows(ProtocolException.class, () -> decoder.frameBytes(ByteBuffer.wrap(prefix)));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
    }

    @Test
    void waitsForAFrameOfExactlyTheLimit() throws ProtocolException {
        int max = 1000;
        FrameDecoder decoder = new FrameDecoder(max);
        ByteBuffer frame = ByteBuffer.allocate(4 + max).putInt(max).put((byte) 0x26);
        frame.flip();
        assertNull(decoder.next(frame));
        assertEquals(4 + max, decoder.frameBytes(frame));
        frame.limit(frame.capacity());
        assertNotNull(decoder.next(frame));
        assertEquals(0x26, decoder.type());
    }

    @Test
    void appliesARaisedOrLoweredLimitToTheNextFrame() throws ProtocolException {
        FrameDecoder decoder = new FrameDecoder(10);
        ByteBuffer frame = ByteBuffer.allocate(4 + 20).putInt(20).put((byte) 0x26).position(24).flip();
        assertThrows(ProtocolException.class, () -> decoder.next(frame.duplicate()));
        decoder.maxFrameBytes(20);
        assertEquals(20, decoder.maxFrameBytes());
        assertNotNull(decoder.next(frame));
        assertEquals(-1, decoder.frameBytes(ByteBuffer.allocate(3)));
    }

    @Test
    void handsOutPayloadViewsWithExactBounds() throws ProtocolException {
        List<Integer> ends = new ArrayList<>();
        byte[] all = stream(ends);
        ByteBuffer in = ByteBuffer.allocate(all.length + 20);
        in.position(7).put(all).flip().position(7); // frames start mid-buffer, with spare room behind them
        FrameDecoder decoder = new FrameDecoder(Wire.MAX_CONTROL_FRAME_BYTES);
        int start = 7;
        for (int i = 0; i < MESSAGES.size(); i++) {
            ByteBuffer payload = decoder.next(in);
            int length = MESSAGES.get(i).payloadLength();
            assertEquals(start + Frames.HEADER_BYTES, payload.position(), "view starts after the type byte");
            assertEquals(start + Frames.HEADER_BYTES + length, payload.limit(), "view ends at the frame's end");
            assertEquals(7 + ends.get(i), in.position());
            start = in.position();
        }
        assertNull(decoder.next(in));
    }

    @Test
    void followsTheBufferItIsGiven() throws ProtocolException {
        FrameDecoder decoder = new FrameDecoder(Wire.MAX_CONTROL_FRAME_BYTES);
        ByteBuffer a = Frames.encode(IndexMessage.have(1));
        ByteBuffer b = ByteBuffer.allocateDirect(64).put(Frames.encode(IndexMessage.cancel(2))).flip();
        ByteBuffer c = Frames.encode(new ListStreams("x", 3));
        assertArrayEquals(payloadOf(IndexMessage.have(1)), bytes(decoder.next(a)));
        assertArrayEquals(payloadOf(IndexMessage.cancel(2)), bytes(decoder.next(b)));
        assertEquals(IndexMessage.cancel(2).type().code(), decoder.type());
        assertArrayEquals(payloadOf(new ListStreams("x", 3)), bytes(decoder.next(c)));
    }
}
