package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * Encodes messages into frames: {@code <length:u32><type:u8><payload>}, where length = 1 + payload bytes.
 * Thread-safe (stateless).
 */
public final class Frames {
    public static final int HEADER_BYTES = Wire.LENGTH_FIELD_BYTES + 1;

    private Frames() {
    }

    /** A new heap buffer holding the whole frame, ready to read. */
    public static ByteBuffer encode(Message message) {
        int payload = message.payloadLength();
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + payload);
        encode(message, out);
        return out.flip();
    }

    /** Appends the frame to {@code out}, which must have room for it. */
    public static void encode(Message message, ByteBuffer out) {
        int payload = message.payloadLength();
        int start = out.position();
        out.putInt(1 + payload);
        out.put((byte) message.type().code());
        message.encodePayload(out);
        if (out.position() - start != HEADER_BYTES + payload) {
            throw new IllegalStateException(message.type() + ": wrote " + (out.position() - start - HEADER_BYTES)
                    + " payload bytes (expected: " + payload + ")");
        }
    }
}
