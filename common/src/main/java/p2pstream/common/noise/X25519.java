package p2pstream.common.noise;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * Noise's DH functions for Curve25519 (RFC 7748) on the JDK's XDH: keys as their raw 32 bytes, the public key
 * little-endian. A result of all zeros (a low-order public key) is refused, as the Noise spec allows, so a peer
 * cannot force a known shared secret. Stateless; any thread.
 */
final class X25519 {
    static final int KEY_BYTES = 32;
    private static final byte[] BASE_POINT = new byte[KEY_BYTES];

    static {
        BASE_POINT[0] = 9;
    }

    /** A key pair: the JDK private key and the raw public key. Immutable. */
    record KeyPair(PrivateKey privateKey, byte[] publicKey) {
        @Override
        public String toString() {
            return "X25519 key pair"; // never the key
        }
    }

    private X25519() {
    }

    static KeyPair generate() {
        try {
            var pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            return new KeyPair(pair.getPrivate(), raw((XECPublicKey) pair.getPublic()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 missing from this JRE", e);
        }
    }

    /** The key pair of a given private scalar (the test vectors' keys); its public key is X25519(k, 9). */
    static KeyPair fromPrivate(byte[] scalar) {
        try {
            PrivateKey key = KeyFactory.getInstance("X25519").generatePrivate(
                    new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar.clone()));
            return new KeyPair(key, dh(key, BASE_POINT));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("private key: " + e.getMessage() + " (expected: 32 bytes)", e);
        }
    }

    /**
     * DH(private, public): the 32-byte shared secret.
     *
     * @throws InvalidKeyException when {@code publicKey} is not 32 bytes or is of low order (all-zero result)
     */
    static byte[] dh(PrivateKey privateKey, byte[] publicKey) throws InvalidKeyException {
        if (publicKey.length != KEY_BYTES) {
            throw new InvalidKeyException("public key: " + publicKey.length + " bytes (expected: " + KEY_BYTES + ")");
        }
        try {
            KeyAgreement agreement = KeyAgreement.getInstance("X25519");
            agreement.init(privateKey);
            agreement.doPhase(KeyFactory.getInstance("X25519").generatePublic(
                    new XECPublicKeySpec(NamedParameterSpec.X25519, u(publicKey))), true);
            byte[] secret = agreement.generateSecret();
            int or = 0;
            for (byte b : secret) {
                or |= b;
            }
            if (or == 0) {
                throw new InvalidKeyException("public key: of low order (expected: a point of the main subgroup)");
            }
            return secret;
        } catch (InvalidKeyException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new InvalidKeyException("public key: " + e.getMessage() + " (expected: an X25519 key)", e);
        }
    }

    /** The u coordinate of a raw key: little-endian, top bit ignored (RFC 7748, section 5). */
    private static BigInteger u(byte[] raw) {
        byte[] bigEndian = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES; i++) {
            bigEndian[i] = raw[KEY_BYTES - 1 - i];
        }
        bigEndian[0] &= 0x7f;
        return new BigInteger(1, bigEndian);
    }

    private static byte[] raw(XECPublicKey key) {
        byte[] bigEndian = key.getU().toByteArray();
        byte[] out = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES && i < bigEndian.length; i++) {
            out[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return out;
    }
}
