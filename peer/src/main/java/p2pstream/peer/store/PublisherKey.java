package p2pstream.peer.store;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import p2pstream.common.identity.Ed25519;
import p2pstream.common.identity.KeyFile;
import p2pstream.common.wire.ContentId;

/**
 * A live publisher's Ed25519 key pair, kept in a small text file created owner-only and atomically on first use
 * ({@link KeyFile}), so the same name and key give the same content id on every run. Signs chunks and the end of a
 * stream. Thread-safe (immutable; each signature uses its own {@code Signature}).
 *
 * <pre>key file: "# ..." comment lines, "private: " base64 PKCS#8, "public: " base64 raw 32 bytes</pre>
 */
public final class PublisherKey {
    private final PrivateKey privateKey;
    private final byte[] publicKey;

    private PublisherKey(KeyPair pair) {
        this.privateKey = pair.getPrivate();
        this.publicKey = Ed25519.raw(pair.getPublic());
    }

    /** A new key kept only in memory (tests, one-off streams). */
    public static PublisherKey generate() {
        return new PublisherKey(Ed25519.generate());
    }

    /** Reads the key in {@code file}, or creates it there (owner-only, and its directory) when there is none. */
    public static PublisherKey loadOrCreate(Path file) throws IOException {
        return new PublisherKey(KeyFile.loadOrCreate(file, "live publisher key",
                "Keep it secret: whoever holds it can publish as you."));
    }

    /** The raw 32-byte public key that goes into the live manifest. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The publisher's signature over chunk {@code index}. */
    public byte[] signChunk(ContentId id, int index, long publishMicros, byte[] sha256) {
        return sign(LiveManifest.signed(LiveManifest.CHUNK_TAG, id, index, publishMicros, sha256));
    }

    /** The publisher's signature over the end of the stream after {@code chunkCount} chunks. */
    public byte[] signEnd(ContentId id, int chunkCount, long endMicros) {
        return sign(LiveManifest.signed(LiveManifest.END_TAG, id, chunkCount, endMicros, new byte[32]));
    }

    private byte[] sign(byte[] message) {
        return Ed25519.sign(privateKey, message);
    }
}
