package p2pstream.common.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeerIdTextTest {
    /** The raw key 00 01 .. 1f; its id and text computed apart with Python's hashlib and base64 (PROTOCOL.md). */
    private static final byte[] KEY = HexFormat.of().parseHex(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final String TEXT = "MMG42KL-GYQZWNV-EISKREL-XMS3J4K";

    @Test
    void theIdIsTheFirstHalfOfTheKeysSha256AndPrintsAsTheDocumentSays() {
        PeerId id = PeerId.of(KEY);
        assertEquals("630dcd2966c4336691125448bbb25b4f", HexFormat.of().formatHex(id.bytes()));
        assertEquals(TEXT, id.text());
        assertEquals(id, PeerId.parse(TEXT));
    }

    @Test
    void parsingForgivesCaseDashesAndSpaces() {
        PeerId id = PeerId.of(KEY);
        assertEquals(id, PeerId.parse(TEXT.toLowerCase()));
        assertEquals(id, PeerId.parse(TEXT.replace("-", "")));
        assertEquals(id, PeerId.parse(TEXT.replace("-", " ")));
    }

    @Test
    void randomIdsRoundTrip() {
        Random random = new Random(20261207L);
        for (int i = 0; i < 2_000; i++) {
            PeerId id = new PeerId(random.nextLong(), random.nextLong());
            String text = id.text();
            assertTrue(text.matches("[A-Z2-7]{7}(-[A-Z2-7]{7}){3}"), text);
            assertEquals(id, PeerId.parse(text));
        }
    }

    @Test
    void everySingleMistypedCharacterIsCaught() {
        String plain = TEXT.replace("-", "");
        for (int i = 0; i < plain.length(); i++) {
            for (char c : PeerIdText.ALPHABET.toCharArray()) {
                if (c == plain.charAt(i)) {
                    continue;
                }
                String typo = plain.substring(0, i) + c + plain.substring(i + 1);
                assertThrows(IllegalArgumentException.class, () -> PeerId.parse(typo), typo);
            }
        }
    }

    @Test
    void mostSwapsOfNeighboursAreCaught() {
        Random random = new Random(7);
        int swaps = 0;
        int caught = 0;
        for (int n = 0; n < 500; n++) {
            String plain = new PeerId(random.nextLong(), random.nextLong()).text().replace("-", "");
            for (int i = 0; i + 1 < plain.length(); i++) {
                if (plain.charAt(i) == plain.charAt(i + 1)) {
                    continue;
                }
                String swapped = plain.substring(0, i) + plain.charAt(i + 1) + plain.charAt(i) + plain.substring(i + 2);
                swaps++;
                try {
                    PeerId.parse(swapped);
                } catch (IllegalArgumentException e) {
                    caught++;
                }
            }
        }
        assertTrue(caught >= swaps * 0.9, caught + " of " + swaps + " swaps caught");
    }

    @Test
    void badTextsAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeerId.parse("hello"));
        assertEquals("peer id: 'hello' (expected: 28 base32 characters in 4 groups of 7, as --whoami prints them)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PeerId.parse(TEXT + "A"), "too long");
        assertThrows(IllegalArgumentException.class, () -> PeerId.parse(TEXT.replace('M', '1')), "not base32");
        assertThrows(IllegalArgumentException.class, () -> PeerId.parse(""), "empty");
        e = assertThrows(IllegalArgumentException.class, () -> PeerId.parse("x".repeat(1_000_000)));
        assertTrue(e.getMessage().length() < 200, "a pasted megabyte is not echoed back");
        e = assertThrows(IllegalArgumentException.class, () -> PeerId.parse("MMG42KL-GYQZWNW-EISKREL-XMS3J4K"));
        assertTrue(e.getMessage().contains("wrong check character"), e.getMessage());
    }

    @Test
    void aTextWhoseUnusedBitsAreSetIsRefusedSoEachIdHasOneText() {
        // the 26th data character carries 3 bits of the id and 2 that must be 0
        String data = PeerIdText.base32(PeerId.of(KEY).bytes());
        char last = data.charAt(25);
        char flipped = PeerIdText.ALPHABET.charAt(PeerIdText.ALPHABET.indexOf(last) ^ 1);
        String second = data.substring(13, 25) + flipped;
        String text = data.substring(0, 13) + PeerIdText.check(data.substring(0, 13)) + second
                + PeerIdText.check(second);
        assertNotEquals(TEXT.replace("-", ""), text);
        assertThrows(IllegalArgumentException.class, () -> PeerId.parse(text));
    }
}
