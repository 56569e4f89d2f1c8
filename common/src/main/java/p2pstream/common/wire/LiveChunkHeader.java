package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * The head of a LIVE_CHUNK frame: a live chunk's index, publish time and the publisher's Ed25519 signature.
 * As with CHUNK, the chunk's bytes follow in the same frame and are sent separately, so this codec writes and
 * reads only the head. The receiver verifies the signature before using or relaying the bytes.
 * Thread-safe (immutable).
 *
 * <pre>LIVE_CHUNK: &lt;len=77+n&gt;&lt;type=0x28&gt;&lt;index:u32&gt;&lt;publish time micros:i64&gt;
 *             &lt;signature:64&gt;&lt;chunk bytes:n, n &gt;= 1&gt;</pre>
 */
public record LiveChunkHeader(int index, long publishMicros, byte[] signature) {
    public static final int SIGNATURE_BYTES = 64;
    /** Length prefix, type, index, time and signature. */
    public static final int BYTES = Frames.HEADER_BYTES + 4 + 8 + SIGNATURE_BYTES;

    public LiveChunkHeader {
        if (index < 0 || signature.length != SIGNATURE_BYTES) {
            throw new IllegalArgumentException("index " + index + ", signature " + signature.length
                    + " bytes (expected: index >= 0, " + SIGNATURE_BYTES + "-byte signature)");
        }
    }

    /** The frame head for a chunk of {@code length} bytes, ready to read. */
    public ByteBuffer encode(int length) {
        ByteBuffer out = ByteBuffer.allocate(BYTES);
        out.putInt(BYTES - Wire.LENGTH_FIELD_BYTES + length).put((byte) MessageType.LIVE_CHUNK.code())
                .putInt(index).putLong(publishMicros).put(signature);
        return out.flip();
    }

    /** Reads the head of a LIVE_CHUNK payload; the payload is left at the chunk's first byte. */
    public static LiveChunkHeader decode(ByteBuffer payload) throws ProtocolException {
        int index = Wire.getU31(payload, "chunk index");
        long time = Wire.getI64(payload, "publish time");
        Wire.need(payload, SIGNATURE_BYTES, "signature");
        byte[] signature = new byte[SIGNATURE_BYTES];
        payload.get(signature);
        if (!payload.hasRemaining()) {
            throw ProtocolException.malformed("live chunk " + index + ": 0 bytes (expected: at least 1)");
        }
        return new LiveChunkHeader(index, time, signature);
    }
}
