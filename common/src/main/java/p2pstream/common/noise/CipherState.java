package p2pstream.common.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise CipherState (spec section 5.1): a key k, or none, and the nonce n of the next message. Encrypts and
 * decrypts between buffers with one {@link Cipher} for its whole life, through the thread's {@link Scratch} arrays;
 * per message it allocates only the JDK's nonce parameters. Nonce 2^64-1 is reserved (it rekeys): the state
 * refuses to go there, so a nonce is never used twice under one key. A failed decryption leaves n where it was and
 * nothing in the output. Confined to the thread of its connection (the loop thread).
 */
final class CipherState {
    /** The reserved nonce, 2^64-1 as an unsigned long: used only by {@link #rekey()}. */
    static final long MAX_NONCE = -1L;

    private final NoiseCipher cipher;
    private Cipher jdk;
    private final byte[] iv = new byte[NoiseCipher.NONCE_BYTES];
    private SecretKeySpec key;
    private long n;

    CipherState(NoiseCipher cipher) {
        this.cipher = cipher;
        this.jdk = newCipher(cipher);
    }

    private static Cipher newCipher(NoiseCipher cipher) {
        try {
            return Cipher.getInstance(cipher.transformation());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(cipher.transformation() + " missing from this JRE", e);
        }
    }

    /** InitializeKey(key): a new key (32 bytes; null for none) and nonce 0. */
    void initializeKey(byte[] k) {
        key = k == null ? null : new SecretKeySpec(k, 0, NoiseCipher.KEY_BYTES, cipher.keyAlgorithm());
        n = 0;
    }

    boolean hasKey() {
        return key != null;
    }

    /** The nonce of the next message, as an unsigned 64-bit counter. */
    long nonce() {
        return n;
    }

    void setNonce(long nonce) {
        n = nonce;
    }

    NoiseCipher cipher() {
        return cipher;
    }

    /**
     * EncryptWithAd: encrypts {@code plaintext} (position to limit, consumed) into {@code out} with its 16-byte tag;
     * without a key, copies it.
     *
     * @return bytes written to {@code out}
     * @throws IllegalStateException when the nonces of this key are used up (the connection must end)
     */
    int encryptWithAd(byte[] ad, ByteBuffer plaintext, ByteBuffer out) {
        if (key == null) {
            int count = plaintext.remaining();
            out.put(plaintext);
            return count;
        }
        checkNonce();
        int length = plaintext.remaining();
        if (out.remaining() < length + NoiseCipher.TAG_BYTES) {
            throw new IllegalStateException("encryption output: " + out.remaining() + " bytes of room (expected: at"
                    + " least " + (length + NoiseCipher.TAG_BYTES) + ")");
        }
        byte[][] arrays = Scratch.arrays(length + NoiseCipher.TAG_BYTES);
        plaintext.get(arrays[0], 0, length);
        try {
            start(Cipher.ENCRYPT_MODE, ad);
            int written = jdk.doFinal(arrays[0], 0, length, arrays[1], 0);
            out.put(arrays[1], 0, written);
            n++;
            return written;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(cipher.transformation() + " encryption failed: " + e.getMessage(), e);
        }
    }

    /**
     * DecryptWithAd: decrypts and authenticates {@code ciphertext} (position to limit, consumed) into {@code out};
     * without a key, copies it. When authentication fails, {@code out} is left as it was (it is written only once
     * the tag checked) and n does not move.
     *
     * @return plaintext bytes written to {@code out}
     * @throws AEADBadTagException when the ciphertext is shorter than a tag or was not made with this key and nonce
     */
    int decryptWithAd(byte[] ad, ByteBuffer ciphertext, ByteBuffer out) throws AEADBadTagException {
        if (key == null) {
            int count = ciphertext.remaining();
            out.put(ciphertext);
            return count;
        }
        int length = ciphertext.remaining();
        if (length < NoiseCipher.TAG_BYTES) {
            throw new AEADBadTagException("ciphertext: " + length + " bytes (expected: at least the "
                    + NoiseCipher.TAG_BYTES + "-byte tag)");
        }
        checkNonce();
        if (out.remaining() < length - NoiseCipher.TAG_BYTES) {
            throw new IllegalStateException("decryption output: " + out.remaining() + " bytes of room (expected: at"
                    + " least " + (length - NoiseCipher.TAG_BYTES) + ")");
        }
        byte[][] arrays = Scratch.arrays(length);
        ciphertext.get(arrays[0], 0, length);
        try {
            start(Cipher.DECRYPT_MODE, ad);
            int written = jdk.doFinal(arrays[0], 0, length, arrays[1], 0);
            out.put(arrays[1], 0, written); // only once authenticated: a forged record puts nothing in out
            n++;
            return written;
        } catch (AEADBadTagException e) {
            // the JDK's ChaCha20 refuses to be initialised twice in a row with one key and nonce, which a retry of
            // this nonce (the spec allows one) would do: a fresh Cipher forgets it
            jdk = newCipher(cipher);
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(cipher.transformation() + " decryption failed: " + e.getMessage(), e);
        }
    }

    /** The array forms, for handshake messages. */
    byte[] encryptWithAd(byte[] ad, byte[] plaintext) {
        ByteBuffer out = ByteBuffer.allocate(plaintext.length + (key == null ? 0 : NoiseCipher.TAG_BYTES));
        encryptWithAd(ad, ByteBuffer.wrap(plaintext), out);
        return out.array();
    }

    byte[] decryptWithAd(byte[] ad, byte[] ciphertext) throws AEADBadTagException {
        int tag = key == null ? 0 : NoiseCipher.TAG_BYTES;
        ByteBuffer out = ByteBuffer.allocate(Math.max(0, ciphertext.length - tag));
        decryptWithAd(ad, ByteBuffer.wrap(ciphertext), out);
        return out.array();
    }

    /**
     * Rekey() (spec section 4.2): the new key is the first 32 bytes of encrypting 32 zeros with nonce 2^64-1; n
     * stays. Both ends call it after the same message, so neither needs to tell the other.
     */
    void rekey() {
        try {
            jdk.init(Cipher.ENCRYPT_MODE, key, cipher.nonce(MAX_NONCE, iv));
            byte[] out = jdk.doFinal(new byte[NoiseCipher.KEY_BYTES]);
            key = new SecretKeySpec(out, 0, NoiseCipher.KEY_BYTES, cipher.keyAlgorithm());
            Arrays.fill(out, (byte) 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(cipher.transformation() + " rekey failed: " + e.getMessage(), e);
        }
    }

    /** Readies the cipher for one message under nonce n, with its associated data. */
    private void start(int mode, byte[] ad) throws GeneralSecurityException {
        jdk.init(mode, key, cipher.nonce(n, iv));
        if (ad.length > 0) {
            jdk.updateAAD(ad);
        }
    }

    private void checkNonce() {
        if (n == MAX_NONCE) {
            throw new IllegalStateException("nonce: 2^64-1 reached (expected: a new connection before it)");
        }
    }

    @Override
    public String toString() {
        return "CipherState[" + cipher.noiseName() + (key == null ? ", no key" : "") + ", n=" + Long.toUnsignedString(n)
                + "]"; // never the key
    }
}
