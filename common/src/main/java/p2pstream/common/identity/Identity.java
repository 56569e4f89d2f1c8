package p2pstream.common.identity;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import p2pstream.common.wire.PeerId;

/**
 * A process's long-term Ed25519 identity: its key pair and the {@link PeerId} derived from the public key. It signs
 * the Noise static key of every connection's handshake, which is how a peer proves the id the tracker names.
 * Thread-safe (immutable; each signature uses its own {@code Signature}).
 */
public final class Identity {
    /** Where an identity lives unless {@code --identity FILE} says otherwise: one per user and machine. */
    public static final String DEFAULT_FILE = ".p2pstream/identity.key";
    /** The environment variable that moves {@link #home()}. */
    public static final String HOME_VARIABLE = "P2PSTREAM_HOME";

    private final PrivateKey privateKey;
    private final byte[] publicKey;
    private final PeerId peerId;

    private Identity(KeyPair pair) {
        this.privateKey = pair.getPrivate();
        this.publicKey = Ed25519.raw(pair.getPublic());
        this.peerId = PeerId.of(publicKey);
    }

    /** A new identity kept only in memory (tests, one-off processes). */
    public static Identity generate() {
        return new Identity(Ed25519.generate());
    }

    /** The identity in {@code file}, created owner-only (and its directory) on first use. */
    public static Identity loadOrCreate(Path file) throws IOException {
        return new Identity(KeyFile.loadOrCreate(file, "identity",
                "Keep it secret: whoever holds it can connect as this peer."));
    }

    /** {@code identity.key} in {@link #home()}. */
    public static Path defaultFile() {
        return home().resolve("identity.key");
    }

    /**
     * Where the user's keys and remembered trackers live: {@value #HOME_VARIABLE} when set (several identities on
     * one account, tests), else {@code ~/.p2pstream}.
     */
    public static Path home() {
        String set = System.getenv(HOME_VARIABLE);
        return set != null && !set.isBlank() ? Path.of(set) : Path.of(System.getProperty("user.home"), ".p2pstream");
    }

    public PeerId peerId() {
        return peerId;
    }

    /** The raw 32-byte Ed25519 public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    public byte[] sign(byte[] message) {
        return Ed25519.sign(privateKey, message);
    }

    /** Names the peer id only: the key is never written out by a log line. */
    @Override
    public String toString() {
        return "Identity[" + peerId.text() + "]";
    }
}
