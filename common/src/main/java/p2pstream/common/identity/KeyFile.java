package p2pstream.common.identity;

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
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * An Ed25519 key pair kept in a small owner-only text file, created on first use: the live publisher's key and a
 * process's identity. Creation is atomic and never replaces a file that appeared meanwhile, so two processes
 * starting at once on a fresh machine end up with the same key. Stateless; any thread.
 *
 * <pre>key file: "# ..." comment lines, "private: " base64 PKCS#8, "public: " base64 raw 32 bytes</pre>
 */
public final class KeyFile {
    private static final byte[] PROBE = "p2pstream key file probe".getBytes(StandardCharsets.US_ASCII);

    private KeyFile() {
    }

    /**
     * Reads the key pair in {@code file}, or creates one there (and its directory, owner-only) when there is none.
     *
     * @param what   what the key is, for the file's comment and for errors ("live publisher key")
     * @param notice the file's comment line, saying who may hold it
     */
    public static KeyPair loadOrCreate(Path file, String what, String notice) throws IOException {
        if (Files.exists(file)) {
            return load(file, what);
        }
        KeyPair pair = Ed25519.generate();
        String text = "# p2pstream " + what + " (Ed25519). " + notice + "\n"
                + "private: " + Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n"
                + "public: " + Base64.getEncoder().encodeToString(Ed25519.raw(pair.getPublic())) + "\n";
        return createOnce(file, text) ? pair : load(file, what);
    }

    /**
     * Writes {@code text} to {@code file} unless it exists: written owner-only beside it, then linked into place
     * (a link fails where a rename would replace), so nobody ever reads half a key or loses the key they use.
     *
     * @return true when this call created the file, false when another had created it first
     */
    static boolean createOnce(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir); // not a POSIX file system
            }
        }
        Path temp = Files.createTempFile(dir, ".key", ".tmp"); // owner-only from birth on POSIX
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.createLink(file, temp);
            } catch (UnsupportedOperationException e) {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE); // no hard links here: rename instead
            }
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Reads a key file and checks that its two halves belong together. */
    public static KeyPair load(Path file, String what) throws IOException {
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
            throw new IOException("key file " + file + ": no private or public line (expected: a p2pstream " + what
                    + ")");
        }
        try {
            PrivateKey priv = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privateText)));
            PublicKey pub = Ed25519.publicKey(Base64.getDecoder().decode(publicText));
            // a file whose halves do not match would sign what nobody can verify
            if (!Ed25519.verifies(pub, PROBE, Ed25519.sign(priv, PROBE))) {
                throw new IOException("key file " + file + ": public key does not match (expected: the private"
                        + " key's own)");
            }
            return new KeyPair(pub, priv);
        } catch (GeneralSecurityException | IllegalArgumentException | IllegalStateException e) {
            throw new IOException("key file " + file + ": " + e.getMessage() + " (expected: a p2pstream " + what
                    + ")", e);
        }
    }
}
