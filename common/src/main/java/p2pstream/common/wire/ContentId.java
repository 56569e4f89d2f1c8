package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * The 32-byte SHA-256 that names one exact stream content; shown as lowercase hex. Held as four longs so
 * it is a cheap map key. Thread-safe (immutable).
 */
public record ContentId(long w0, long w1, long w2, long w3) {
    public static final int BYTES = Wire.CONTENT_ID_BYTES;

    public static ContentId of(byte[] sha256) {
        if (sha256.length != BYTES) {
            throw new IllegalArgumentException("content id length: " + sha256.length + " (expected: 32)");
        }
        ByteBuffer b = ByteBuffer.wrap(sha256);
        return new ContentId(b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }

    /** Parses 64 hex digits; null when {@code hex} is not a content id. */
    public static ContentId parse(String hex) {
        if (hex.length() != 2 * BYTES) {
            return null;
        }
        long[] w = new long[4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 16; j++) {
                char c = hex.charAt(i * 16 + j);
                int d = c < 0x80 ? Character.digit(c, 16) : -1; // ASCII only: Character.digit also takes Unicode digits
                if (d < 0) {
                    return null;
                }
                w[i] = (w[i] << 4) | d;
            }
        }
        return new ContentId(w[0], w[1], w[2], w[3]);
    }

    public static ContentId decode(ByteBuffer in) throws ProtocolException {
        Wire.need(in, BYTES, "content id");
        return new ContentId(in.getLong(), in.getLong(), in.getLong(), in.getLong());
    }

    public void encode(ByteBuffer out) {
        out.putLong(w0).putLong(w1).putLong(w2).putLong(w3);
    }

    public byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        encode(b);
        return b.array();
    }

    public String hex() {
        return String.format("%016x%016x%016x%016x", w0, w1, w2, w3);
    }

    /** The first 12 hex digits, for logs. */
    public String shortHex() {
        return hex().substring(0, 12);
    }

    @Override
    public String toString() {
        return hex();
    }
}
