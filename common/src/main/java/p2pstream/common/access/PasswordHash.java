package p2pstream.common.access;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A human secret (an account's or a provider's password) kept only as a slow salted hash: PBKDF2-HMAC-SHA256 from
 * the JDK at {@link #ITERATIONS} rounds (OWASP's 2023 figure), so a stolen table costs a guesser about as much per
 * try as a login. Stored as one line {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (base64 without padding), which
 * keeps its own round count: raising it later leaves old lines valid. Immutable; any thread.
 */
public final class PasswordHash {
    public static final int ITERATIONS = 600_000;
    /** Below this a stored line is refused as too weak (a tampered or test-only file). */
    static final int MIN_ITERATIONS = 1_000;
    /** Above this a stored line is refused: checking it would stall a loop for minutes. */
    static final int MAX_ITERATIONS = 10_000_000;
    /** Longest password accepted, in characters: longer ones only make the hash slower to compute. */
    public static final int MAX_PASSWORD_CHARS = 1024;
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;
    private static final String PREFIX = "pbkdf2-sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** Hashes {@code password} with a fresh random salt at {@link #ITERATIONS} rounds. */
    public static PasswordHash of(char[] password) {
        return of(password, ITERATIONS);
    }

    /** Hashes at a chosen round count (tests and benchmarks; at least {@link #MIN_ITERATIONS}). */
    public static PasswordHash of(char[] password, int iterations) {
        checkIterations(iterations);
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations));
    }

    /** Reads a line written by {@link #encode}; throws IllegalArgumentException naming what is wrong. */
    public static PasswordHash parse(String line) {
        String[] parts = line.split("\\$", -1);
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
            throw new IllegalArgumentException("password hash: " + abbreviate(line)
                    + " (expected: " + PREFIX + "$ITERATIONS$SALT$HASH)");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("password hash iterations: " + abbreviate(parts[1])
                    + " (expected: a number)");
        }
        checkIterations(iterations);
        Base64.Decoder base64 = Base64.getDecoder();
        byte[] salt = base64.decode(parts[2]);
        byte[] hash = base64.decode(parts[3]);
        if (salt.length < SALT_BYTES || hash.length != HASH_BYTES) {
            throw new IllegalArgumentException("password hash salt/hash bytes: " + salt.length + "/" + hash.length
                    + " (expected: at least " + SALT_BYTES + "/" + HASH_BYTES + ")");
        }
        return new PasswordHash(iterations, salt, hash);
    }

    /** Whether {@code password} is the one hashed; slow by design, so callers rate-limit it. */
    public boolean matches(char[] password) {
        if (password.length > MAX_PASSWORD_CHARS) {
            return false;
        }
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    /** The one-line form {@link #parse} reads. */
    public String encode() {
        Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "$" + iterations + "$" + base64.encodeToString(salt) + "$" + base64.encodeToString(hash);
    }

    /**
     * A 32-byte key from {@code password} and a public {@code salt} (a provider password turned into the same
     * secret an invite carries): the same slow function, deterministic.
     */
    public static byte[] derive(char[] password, byte[] salt, int iterations) {
        if (password.length > MAX_PASSWORD_CHARS) {
            throw new IllegalArgumentException("password length: " + password.length
                    + " (expected: at most " + MAX_PASSWORD_CHARS + ")");
        }
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** The bytes of a password read from a file or prompt, as characters (UTF-8), without a final line break. */
    public static char[] chars(byte[] utf8) {
        int end = utf8.length;
        while (end > 0 && (utf8[end - 1] == '\n' || utf8[end - 1] == '\r')) {
            end--;
        }
        CharBuffer decoded = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(utf8, 0, end));
        char[] exact = new char[decoded.remaining()];
        decoded.get(exact);
        if (decoded.hasArray()) {
            Arrays.fill(decoded.array(), '\0');
        }
        return exact;
    }

    /**
     * The password on the first line of {@code file} ({@code option} names it in errors): 1..{@link
     * #MAX_PASSWORD_CHARS} characters, else IllegalArgumentException; the caller clears it after use.
     */
    public static char[] readFirstLine(Path file, String option) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": " + file + " cannot be read: " + e
                    + " (expected: a file holding the password)", e);
        }
        int end = 0;
        while (end < bytes.length && bytes[end] != '\n') {
            end++;
        }
        byte[] line = Arrays.copyOf(bytes, end);
        char[] password = chars(line);
        Arrays.fill(line, (byte) 0);
        Arrays.fill(bytes, (byte) 0);
        if (password.length == 0 || password.length > MAX_PASSWORD_CHARS) {
            Arrays.fill(password, '\0');
            throw new IllegalArgumentException(option + ": a password of " + password.length + " characters"
                    + " (expected: 1.." + MAX_PASSWORD_CHARS + ", on the file's first line)");
        }
        return password;
    }

    private static void checkIterations(int iterations) {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("password hash iterations: " + iterations
                    + " (expected: " + MIN_ITERATIONS + " to " + MAX_ITERATIONS + ")");
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
