package p2pstream.common.wire;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The 16 bytes that name a peer in HELLO and PEERS: the first half of the SHA-256 of the peer's raw Ed25519 public
 * key ({@link #of}), which the transport's handshake proves; a random one where no identity is used yet. Printed as
 * {@link #text()} ({@link PeerIdText}). Thread-safe (immutable).
 */
public record PeerId(long high, long low) {
    public static final int BYTES = Wire.PEER_ID_BYTES;
    private static final SecureRandom RANDOM = new SecureRandom();

    public static PeerId random() {
        return new PeerId(RANDOM.nextLong(), RANDOM.nextLong());
    }

    /** The id of the identity whose raw 32-byte Ed25519 public key is {@code publicKey}. */
    public static PeerId of(byte[] publicKey) {
        if (publicKey.length != 32) {
            throw new IllegalArgumentException("public key: " + publicKey.length + " bytes (expected: 32)");
        }
        try {
            return decode(ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(publicKey)));
        } catch (NoSuchAlgorithmException | ProtocolException e) {
            throw new IllegalStateException("SHA-256: " + e.getMessage(), e);
        }
    }

    /** Reads the printable form; throws IllegalArgumentException with a {@code name: value (expected: ...)} text. */
    public static PeerId parse(String text) {
        ByteBuffer bytes = ByteBuffer.wrap(PeerIdText.parse(text));
        return new PeerId(bytes.getLong(), bytes.getLong());
    }

    public static PeerId decode(ByteBuffer in) throws ProtocolException {
        Wire.need(in, BYTES, "peer id");
        return new PeerId(in.getLong(), in.getLong());
    }

    public void encode(ByteBuffer out) {
        out.putLong(high).putLong(low);
    }

    public byte[] bytes() {
        return ByteBuffer.allocate(BYTES).putLong(high).putLong(low).array();
    }

    /** The printable form users see, type and compare: {@code XXXXXXX-XXXXXXX-XXXXXXX-XXXXXXX}. */
    public String text() {
        return PeerIdText.format(bytes());
    }

    @Override
    public String toString() {
        return String.format("%016x%016x", high, low).substring(0, 12);
    }
}
