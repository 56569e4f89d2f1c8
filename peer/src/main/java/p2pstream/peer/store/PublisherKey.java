package p2pstream.peer.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import p2pstream.common.wire.ContentId;

/**
 * A live publisher's Ed25519 key pair, kept in a small text file created (owner-only) on first use, so the
 * same name and key give the same content id on every run. Signs chunks and the end of a stream.
 * Thread-safe (immutable; each signature uses its own {@link Signature}).
 *
 * <pre>key file: "# ..." comment lines, "private: " base64 PKCS#8, "public: " base64 raw 32 bytes</pre>
 */
public final class PublisherKey {
    private final PrivateKey privateKey;
    private final byte[] publicKey;

    private PublisherKey(PrivateKey privateKey, byte[] publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** A new key kept only in memory (tests, one-off streams). */
    public static PublisherKey generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            return new PublisherKey(pair.getPrivate(), LiveManifest.rawPublicKey(pair.getPublic()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 missing from this JRE", e);
        }
    }

    /** Reads the key in {@code file}, or creates it there (and its directory) when there is none. */
    public static PublisherKey loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            return load(file);
        }
        PublisherKey key = generate();
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        String text = "# p2pstream live publisher key (Ed25519). Keep it secret: whoever holds it can publish as you.\n"
                + "private: " + Base64.getEncoder().encodeToString(key.privateKey.getEncoded()) + "\n"
                + "public: " + Base64.getEncoder().encodeToString(key.publicKey) + "\n";
        // written beside it, then moved into place: a publisher starting at the same moment never reads half a key
        Path temp = Files.createTempFile(dir != null ? dir : Path.of("."), ".publisher", ".key");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            return load(file); // another publisher created it meanwhile
        } finally {
            Files.deleteIfExists(temp);
        }
        return key;
    }

    static PublisherKey load(Path file) throws IOException {
        String privateText = null;
        String publicText = null;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines) {
            if (line.startsWith("private: ")) {
                privateText = line.substring(9).trim();
            } else if (line.startsWith("public: ")) {
                publicText = line.substring(8).trim();
            }
        }
        if (privateText == null || publicText == null) {
            throw new IOException("key file " + file
                    + ": no private or public line (expected: a p2pstream publisher key)");
        }
        try {
            PrivateKey priv = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privateText)));
            byte[] pub = Base64.getDecoder().decode(publicText);
            PublisherKey key = new PublisherKey(priv, pub);
            // a key file whose halves do not match would publish chunks nobody can verify
            LiveManifest probe = new LiveManifest("probe", 16 * 1024, pub, 0);
            byte[] zero = new byte[32];
            if (!probe.verifiesChunk(0, 0, zero,
                    key.sign(LiveManifest.signed(LiveManifest.CHUNK_TAG, probe.contentId(), 0, 0, zero)))) {
                throw new IOException("key file " + file
                        + ": public key does not match (expected: the private key's own)");
            }
            return key;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("key file " + file + ": " + e.getMessage()
                    + " (expected: a p2pstream publisher key)", e);
        }
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
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }
}
