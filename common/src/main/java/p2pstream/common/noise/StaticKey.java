package p2pstream.common.noise;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import p2pstream.common.identity.Ed25519;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * The Noise static key a process uses on all its connections, and the identity payload that binds it to the
 * process's {@link Identity}: the Ed25519 key and its signature over the X25519 static key, sent encrypted inside
 * the handshake. Made once per process (one signature, not one per connection). Thread-safe (immutable).
 *
 * <pre>identity payload: &lt;version:u8=1&gt;&lt;flags:u8&gt;&lt;ed25519 public key:32&gt;&lt;signature:64&gt;
 * flags: bit 0 = this side allows plaintext after the handshake (--plaintext); the other bits are 0
 * signature = Ed25519(identity, "p2pstream noise static key:" || X25519 static public key)</pre>
 */
public final class StaticKey {
    static final int PAYLOAD_BYTES = 2 + Ed25519.PUBLIC_KEY_BYTES + Ed25519.SIGNATURE_BYTES;
    static final int VERSION = 1;
    static final int ALLOWS_PLAINTEXT = 1;
    private static final byte[] SIGNED_PREFIX = "p2pstream noise static key:".getBytes(StandardCharsets.US_ASCII);

    private final X25519.KeyPair key;
    private final PeerId peerId;
    private final boolean allowsPlaintext;
    private final byte[] payload;

    /** What a received identity payload proves: the peer's id, and whether it allows plaintext. */
    record Proof(PeerId peerId, boolean allowsPlaintext) {
    }

    private StaticKey(Identity identity, X25519.KeyPair key, boolean allowsPlaintext) {
        this.key = key;
        this.peerId = identity.peerId();
        this.allowsPlaintext = allowsPlaintext;
        this.payload = ByteBuffer.allocate(PAYLOAD_BYTES).put((byte) VERSION)
                .put((byte) (allowsPlaintext ? ALLOWS_PLAINTEXT : 0))
                .put(identity.publicKey()).put(identity.sign(signed(key.publicKey()))).array();
    }

    /** A fresh static key signed by {@code identity}; the connections it secures are never plaintext. */
    public static StaticKey of(Identity identity) {
        return of(identity, false);
    }

    /**
     * A fresh static key signed by {@code identity}; with {@code allowsPlaintext} a connection to a peer that allows
     * it too carries its frames in clear after the handshake (both ids still proved).
     */
    public static StaticKey of(Identity identity, boolean allowsPlaintext) {
        return new StaticKey(identity, X25519.generate(), allowsPlaintext);
    }

    /** A given static key (the fuzz targets' fixed handshakes). */
    static StaticKey of(Identity identity, X25519.KeyPair key) {
        return new StaticKey(identity, key, false);
    }

    public PeerId peerId() {
        return peerId;
    }

    public boolean allowsPlaintext() {
        return allowsPlaintext;
    }

    X25519.KeyPair key() {
        return key;
    }

    byte[] payload() {
        return payload.clone();
    }

    /**
     * The peer id a received identity payload proves for the static key {@code remoteStatic} the handshake
     * authenticated.
     */
    static Proof verify(byte[] payload, byte[] remoteStatic) throws ProtocolException {
        if (payload.length != PAYLOAD_BYTES || payload[0] != VERSION) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION, "identity payload: " + payload.length
                    + " bytes, version " + (payload.length > 0 ? payload[0] & 0xff : -1) + " (expected: "
                    + PAYLOAD_BYTES + " bytes, version " + VERSION + ")");
        }
        if ((payload[1] & ~ALLOWS_PLAINTEXT) != 0) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION, "identity payload flags: 0x"
                    + Integer.toHexString(payload[1] & 0xff) + " (expected: 0x00 or 0x01)");
        }
        byte[] raw = new byte[Ed25519.PUBLIC_KEY_BYTES];
        byte[] signature = new byte[Ed25519.SIGNATURE_BYTES];
        ByteBuffer.wrap(payload, 2, payload.length - 2).get(raw).get(signature);
        PublicKey identity;
        try {
            identity = Ed25519.publicKey(raw);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION, "identity payload: " + e.getMessage());
        }
        if (!Ed25519.verifies(identity, signed(remoteStatic), signature)) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION, "identity payload: the signature over the static"
                    + " key does not verify (expected: the identity's own)");
        }
        return new Proof(PeerId.of(raw), (payload[1] & ALLOWS_PLAINTEXT) != 0);
    }

    private static byte[] signed(byte[] staticKey) {
        return ByteBuffer.allocate(SIGNED_PREFIX.length + staticKey.length).put(SIGNED_PREFIX).put(staticKey).array();
    }

    @Override
    public String toString() {
        return "StaticKey[" + peerId.text() + "]"; // never the key
    }
}
