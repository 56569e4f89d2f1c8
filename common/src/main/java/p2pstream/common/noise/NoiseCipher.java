package p2pstream.common.noise;

import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/**
 * The two Noise cipher functions the JDK has, with their Noise names and nonce layouts: 32 zero bits, then the
 * 64-bit counter big-endian (AESGCM) or little-endian (ChaChaPoly). Immutable; any thread.
 */
public enum NoiseCipher {
    AESGCM("AESGCM", "AES/GCM/NoPadding", "AES", true),
    CHACHAPOLY("ChaChaPoly", "ChaCha20-Poly1305", "ChaCha20", false);

    static final int KEY_BYTES = 32;
    static final int TAG_BYTES = 16;
    static final int NONCE_BYTES = 12;

    private final String noiseName;
    private final String transformation;
    private final String keyAlgorithm;
    private final boolean bigEndianNonce;

    NoiseCipher(String noiseName, String transformation, String keyAlgorithm, boolean bigEndianNonce) {
        this.noiseName = noiseName;
        this.transformation = transformation;
        this.keyAlgorithm = keyAlgorithm;
        this.bigEndianNonce = bigEndianNonce;
    }

    /** As in a Noise protocol name: {@code AESGCM}, {@code ChaChaPoly}. */
    public String noiseName() {
        return noiseName;
    }

    String transformation() {
        return transformation;
    }

    String keyAlgorithm() {
        return keyAlgorithm;
    }

    /** Writes nonce {@code n} into {@code iv} (12 bytes, the first 4 zero) and returns the JDK's parameters. */
    AlgorithmParameterSpec nonce(long n, byte[] iv) {
        for (int i = 0; i < 8; i++) {
            iv[4 + i] = (byte) (bigEndianNonce ? n >>> (56 - 8 * i) : n >>> (8 * i));
        }
        return this == AESGCM ? new GCMParameterSpec(TAG_BYTES * 8, iv) : new IvParameterSpec(iv);
    }
}
