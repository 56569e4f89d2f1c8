package p2pstream.common.identity;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Ed25519 as the JDK has it, with public keys in their raw 32-byte form (RFC 8032) rather than the JDK's X.509
 * wrapping, which is what goes on the wire and into key files. Stateless; any thread.
 */
public final class Ed25519 {
    public static final int PUBLIC_KEY_BYTES = 32;
    public static final int SIGNATURE_BYTES = 64;
    /** The X.509 SubjectPublicKeyInfo head in front of a raw Ed25519 key (RFC 8410): algorithm 1.3.101.112. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private Ed25519() {
    }

    /** A new key pair from the JDK's default strong random source. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 missing from this JRE", e);
        }
    }

    /** The JDK key for 32 raw bytes; throws IllegalArgumentException for anything else. */
    public static PublicKey publicKey(byte[] raw) {
        if (raw.length != PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("public key: " + raw.length + " bytes (expected: "
                    + PUBLIC_KEY_BYTES + " raw Ed25519 bytes)");
        }
        byte[] spki = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + PUBLIC_KEY_BYTES);
        System.arraycopy(raw, 0, spki, X509_PREFIX.length, PUBLIC_KEY_BYTES);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("public key: " + e.getMessage()
                    + " (expected: " + PUBLIC_KEY_BYTES + " raw Ed25519 bytes)", e);
        }
    }

    /** The raw 32 bytes of a JDK Ed25519 public key. */
    public static byte[] raw(PublicKey key) {
        byte[] spki = key.getEncoded();
        if (spki.length != X509_PREFIX.length + PUBLIC_KEY_BYTES
                || !Arrays.equals(spki, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            throw new IllegalArgumentException("public key: " + spki.length + " bytes of " + key.getAlgorithm()
                    + " (expected: Ed25519)");
        }
        return Arrays.copyOfRange(spki, X509_PREFIX.length, spki.length);
    }

    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} is {@code key}'s over {@code message}; a malformed signature is a bad one. */
    public static boolean verifies(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
