package p2pstream.common.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LiveCodecTest {
    private static final Random RANDOM = new Random(11);

    private static byte[] signature() {
        byte[] s = new byte[64];
        RANDOM.nextBytes(s);
        return s;
    }

    @Test
    void liveChunkHeadRoundTripsAndLeavesThePayloadAtTheBytes() throws Exception {
        LiveChunkHeader h = new LiveChunkHeader(123_456, 1_700_000_000_000_000L, signature());
        ByteBuffer frame = ByteBuffer.allocate(LiveChunkHeader.BYTES + 3);
        frame.put(h.encode(3)).put(new byte[] {7, 8, 9}).flip();
        assertEquals(LiveChunkHeader.BYTES - 4 + 3, frame.getInt(), "length field");
        assertEquals(MessageType.LIVE_CHUNK.code(), frame.get());
        LiveChunkHeader d = LiveChunkHeader.decode(frame);
        assertEquals(h.index(), d.index());
        assertEquals(h.publishMicros(), d.publishMicros());
        assertArrayEquals(h.signature(), d.signature());
        assertEquals(3, frame.remaining());
        assertEquals(7, frame.get());
    }

    @Test
    void everyTruncationOfALiveChunkIsMalformed() {
        ByteBuffer head = new LiveChunkHeader(1, 2, signature()).encode(1);
        byte[] payload = Arrays.copyOfRange(head.array(), 5, head.limit());
        byte[] withByte = Arrays.copyOf(payload, payload.length + 1);
        for (int n = 0; n < withByte.length; n++) {
            ByteBuffer cut = ByteBuffer.wrap(withByte, 0, n);
            ProtocolException e = assertThrows(ProtocolException.class, () -> LiveChunkHeader.decode(cut),
                    "length " + n);
            assertEquals(ErrorCode.MALFORMED, e.code());
        }
    }

    @Test
    void aNegativeIndexIsMalformed() {
        ByteBuffer payload = ByteBuffer.allocate(4 + 8 + 64 + 1).putInt(-1).flip().limit(77);
        assertThrows(ProtocolException.class, () -> LiveChunkHeader.decode(payload));
    }

    @Test
    void liveEndRoundTripsAndRefusesEveryTruncationAndTrailingByte() throws Exception {
        LiveEnd e = new LiveEnd(42, 99, signature());
        Message decoded = Codec.roundTrip(e);
        Codec.assertSameMessage(e, decoded);
        byte[] payload = Codec.payloadBytes(e);
        for (int n = 0; n < payload.length; n++) {
            byte[] cut = Arrays.copyOf(payload, n);
            assertThrows(ProtocolException.class, () -> LiveEnd.decode(ByteBuffer.wrap(cut)), "length " + n);
        }
        byte[] longer = Arrays.copyOf(payload, payload.length + 1);
        assertThrows(ProtocolException.class, () -> LiveEnd.decode(ByteBuffer.wrap(longer)));
    }
}
