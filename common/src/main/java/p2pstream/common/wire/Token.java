package p2pstream.common.wire;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A relay circuit's one-time token (PROTOCOL.md section 11): 16 random bytes the tracker makes, tells the relay and
 * both ends, and the ends present to the relay to be joined. Unguessable, so a stranger cannot join a circuit; it
 * proves nothing else (the ends prove who they are to each other in their own handshake). Thread-safe (immutable).
 */
public final class Token {
    public static final int BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] bytes;

    private Token(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Token random() {
        byte[] b = new byte[BYTES];
        RANDOM.nextBytes(b);
        return new Token(b);
    }

    public void encode(ByteBuffer out) {
        out.put(bytes);
    }

    public static Token decode(ByteBuffer in) throws ProtocolException {
        Wire.need(in, BYTES, "token");
        byte[] b = new byte[BYTES];
        in.get(b);
        return new Token(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Token t && Arrays.equals(bytes, t.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The first 4 bytes in hex: enough to tell circuits apart in a log, too little to join one. */
    @Override
    public String toString() {
        return Wire.hex(Arrays.copyOf(bytes, 4));
    }
}
