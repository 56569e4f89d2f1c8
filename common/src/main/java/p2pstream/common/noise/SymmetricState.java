package p2pstream.common.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise SymmetricState (spec section 5.2) with SHA-256: the chaining key ck, the handshake hash h and a
 * {@link CipherState}. HKDF is the spec's (section 4.3): HMAC-SHA256 extract with ck as the salt, then expand to
 * two outputs. Intermediate keys are zeroed once used. Confined to the thread of its handshake.
 */
final class SymmetricState {
    static final int HASH_BYTES = 32;

    private final CipherState cipherState;
    private final MessageDigest sha256;
    private final Mac hmac;
    private byte[] ck;
    private byte[] h;

    /** InitializeSymmetric(protocol_name). */
    SymmetricState(String protocolName, NoiseCipher cipher) {
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
            this.hmac = Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 missing from this JRE", e);
        }
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        h = name.length <= HASH_BYTES ? Arrays.copyOf(name, HASH_BYTES) : sha256.digest(name);
        ck = h.clone();
        cipherState = new CipherState(cipher);
        cipherState.initializeKey(null);
    }

    void mixKey(byte[] inputKeyMaterial) {
        byte[][] out = hkdf(ck, inputKeyMaterial);
        Arrays.fill(ck, (byte) 0);
        ck = out[0];
        cipherState.initializeKey(out[1]);
        Arrays.fill(out[1], (byte) 0);
    }

    void mixHash(byte[] data) {
        sha256.update(h);
        sha256.update(data);
        h = sha256.digest();
    }

    byte[] encryptAndHash(byte[] plaintext) {
        byte[] ciphertext = cipherState.encryptWithAd(h, plaintext);
        mixHash(ciphertext);
        return ciphertext;
    }

    byte[] decryptAndHash(byte[] ciphertext) throws AEADBadTagException {
        byte[] plaintext = cipherState.decryptWithAd(h, ciphertext);
        mixHash(ciphertext);
        return plaintext;
    }

    boolean hasKey() {
        return cipherState.hasKey();
    }

    /** Split(): the initiator's sending state and the responder's sending state; ck is zeroed. */
    CipherState[] split() {
        byte[][] out = hkdf(ck, new byte[0]);
        Arrays.fill(ck, (byte) 0);
        CipherState[] pair = {new CipherState(cipherState.cipher()), new CipherState(cipherState.cipher())};
        pair[0].initializeKey(out[0]);
        pair[1].initializeKey(out[1]);
        Arrays.fill(out[0], (byte) 0);
        Arrays.fill(out[1], (byte) 0);
        return pair;
    }

    /** h: both ends hold the same value once the handshake is done (channel binding). */
    byte[] handshakeHash() {
        return h.clone();
    }

    private byte[][] hkdf(byte[] chainingKey, byte[] inputKeyMaterial) {
        byte[] tempKey = hmac(chainingKey, inputKeyMaterial);
        byte[] out1 = hmac(tempKey, new byte[] {1});
        byte[] in2 = Arrays.copyOf(out1, HASH_BYTES + 1);
        in2[HASH_BYTES] = 2;
        byte[] out2 = hmac(tempKey, in2);
        Arrays.fill(tempKey, (byte) 0);
        Arrays.fill(in2, (byte) 0);
        return new byte[][] {out1, out2};
    }

    private byte[] hmac(byte[] key, byte[] data) {
        try {
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
            return hmac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 failed: " + e.getMessage(), e);
        }
    }
}
