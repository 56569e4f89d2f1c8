package p2pstream.common.wire;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/** The 16-byte random id a peer picks at start-up and sends in HELLO. Thread-safe (immutable). */
public record PeerId(long high, long low) {
    public static final int BYTES = Wire.PEER_ID_BYTES;
    private static final SecureRandom RANDOM = new SecureRandom();

    public static PeerId random() {
        return new PeerId(RANDOM.nextLong(), RANDOM.nextLong());
    }

    public static PeerId decode(ByteBuffer in) throws ProtocolException {
        Wire.need(in, BYTES, "peer id");
        return new PeerId(in.getLong(), in.getLong());
    }

    public void encode(ByteBuffer out) {
        out.putLong(high).putLong(low);
    }

    @Override
    public String toString() {
        return String.format("%016x%016x", high, low).substring(0, 12);
    }
}
