package p2pstream.common.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CipherStateTest {
    private static final byte[] NO_AD = new byte[0];
    private static final byte[] KEY = new byte[32];

    static {
        Arrays.fill(KEY, (byte) 7);
    }

    private static CipherState keyed(NoiseCipher cipher) {
        CipherState c = new CipherState(cipher);
        c.initializeKey(KEY);
        return c;
    }

    @ParameterizedTest
    @EnumSource(NoiseCipher.class)
    void aFailedTagLeavesTheOutputAndTheNonceAsTheyWere(NoiseCipher cipher) throws Exception {
        byte[] plain = "a marker that must not leak".getBytes(StandardCharsets.US_ASCII);
        byte[] sealed = keyed(cipher).encryptWithAd(NO_AD, plain);
        sealed[3] ^= 1;
        CipherState receiver = keyed(cipher);
        ByteBuffer out = ByteBuffer.allocate(64);
        out.put((byte) 42);
        assertThrows(AEADBadTagException.class, () -> receiver.decryptWithAd(NO_AD, ByteBuffer.wrap(sealed), out));
        assertEquals(1, out.position(), "nothing of the bad message counts as received");
        for (int i = 1; i < out.capacity(); i++) {
            assertEquals(0, out.get(i), "nothing of it is left behind either");
        }
        assertEquals(0, receiver.nonce());
        assertThrows(AEADBadTagException.class, () -> receiver.decryptWithAd(NO_AD, new byte[15]),
                "shorter than a tag");
    }

    @ParameterizedTest
    @EnumSource(NoiseCipher.class)
    void aMessageOpensOnlyUnderItsOwnNonce(NoiseCipher cipher) throws Exception {
        CipherState sender = keyed(cipher);
        byte[] first = sender.encryptWithAd(NO_AD, new byte[] {1});
        byte[] second = sender.encryptWithAd(NO_AD, new byte[] {1});
        assertFalse(Arrays.equals(first, second), "the same bytes twice never seal alike");
        CipherState receiver = keyed(cipher);
        assertThrows(AEADBadTagException.class, () -> receiver.decryptWithAd(NO_AD, second), "reordered");
        assertArrayEquals(new byte[] {1}, receiver.decryptWithAd(NO_AD, first));
        assertThrows(AEADBadTagException.class, () -> receiver.decryptWithAd(NO_AD, first), "replayed");
        assertArrayEquals(new byte[] {1}, receiver.decryptWithAd(NO_AD, second));
    }

    @ParameterizedTest
    @EnumSource(NoiseCipher.class)
    void theLastNonceIsNeverUsedSoNoneRepeats(NoiseCipher cipher) {
        CipherState c = keyed(cipher);
        c.setNonce(CipherState.MAX_NONCE - 1);
        c.encryptWithAd(NO_AD, new byte[1]);
        assertEquals(CipherState.MAX_NONCE, c.nonce());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.encryptWithAd(NO_AD, new byte[1]));
        assertEquals("nonce: 2^64-1 reached (expected: a new connection before it)", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(NoiseCipher.class)
    void bothEndsRekeyToTheSameNewKey(NoiseCipher cipher) throws Exception {
        CipherState sender = keyed(cipher);
        CipherState receiver = keyed(cipher);
        sender.rekey();
        byte[] sealed = sender.encryptWithAd(NO_AD, new byte[] {5});
        assertThrows(AEADBadTagException.class, () -> keyed(cipher).decryptWithAd(NO_AD, sealed), "old key");
        receiver.rekey();
        assertArrayEquals(new byte[] {5}, receiver.decryptWithAd(NO_AD, sealed));
    }

    @ParameterizedTest
    @EnumSource(NoiseCipher.class)
    void theKeyIsNeverInItsTextForm(NoiseCipher cipher) {
        assertEquals("CipherState[" + cipher.noiseName() + ", n=0]", keyed(cipher).toString());
    }
}
