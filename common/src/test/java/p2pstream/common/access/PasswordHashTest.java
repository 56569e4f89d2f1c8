package p2pstream.common.access;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.FakeClock;

class PasswordHashTest {
    private static final int FAST_ITERATIONS = 1_000;

    @Test
    void theRightPasswordMatchesAndAnyOtherDoesNot() {
        PasswordHash hash = PasswordHash.of("correct horse".toCharArray(), FAST_ITERATIONS);
        assertTrue(hash.matches("correct horse".toCharArray()));
        assertFalse(hash.matches("correct horsE".toCharArray()));
        assertFalse(hash.matches(new char[0]));
    }

    @Test
    void theEncodedLineReadsBackAndKeepsItsRoundCount() {
        PasswordHash hash = PasswordHash.of("pw".toCharArray(), FAST_ITERATIONS + 7);
        String line = hash.encode();
        assertTrue(line.startsWith("pbkdf2-sha256$1007$"), line);
        assertTrue(PasswordHash.parse(line).matches("pw".toCharArray()));
        assertEquals(line, PasswordHash.parse(line).encode());
    }

    @Test
    void twoHashesOfOnePasswordDifferBySalt() {
        assertNotEquals(PasswordHash.of("pw".toCharArray(), FAST_ITERATIONS).encode(),
                PasswordHash.of("pw".toCharArray(), FAST_ITERATIONS).encode());
    }

    @Test
    void deriveIsPbkdf2HmacSha256() {
        // RFC 7914 section 11's PBKDF2-HMAC-SHA256 vector (P="passwd", S="salt", c=1, first 32 of 64 bytes).
        byte[] expected = hex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
        byte[] salt = "salt".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(expected, PasswordHash.derive("passwd".toCharArray(), salt, 1));
    }

    @Test
    void malformedOrWeakLinesAreRefusedWithTheReason() {
        String good = PasswordHash.of("pw".toCharArray(), FAST_ITERATIONS).encode();
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("md5$1$aa$bb"));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse(good.replace("$1000$", "$10$")));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse(good.replace("$1000$", "$x$")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PasswordHash.parse(good.replace("$1000$", "$999999999$")));
        assertTrue(e.getMessage().contains("expected: 1000 to 10000000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse(good.substring(0, good.length() - 4)));
    }

    @Test
    void anOverlongPasswordNeverMatchesAndIsNotHashed() {
        PasswordHash hash = PasswordHash.of("pw".toCharArray(), FAST_ITERATIONS);
        char[] huge = new char[PasswordHash.MAX_PASSWORD_CHARS + 1];
        assertFalse(hash.matches(huge));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.of(huge, FAST_ITERATIONS));
    }

    @Test
    void aPasswordFileLosesItsLineBreakOnly() {
        assertArrayEquals(" s\u00e9cret ".toCharArray(),
                PasswordHash.chars(" s\u00e9cret \r\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void wrongGuessesDoubleTheWaitAndARightOneForgetsIt() {
        FakeClock clock = new FakeClock();
        GuessLimit<String> limit = new GuessLimit<>(clock);
        assertEquals(0, limit.waitMillis("a"));
        limit.onWrong("a");
        assertEquals(1_000, limit.waitMillis("a"));
        limit.onWrong("a");
        assertEquals(2_000, limit.waitMillis("a"));
        limit.onWrong("a");
        assertEquals(4_000, limit.waitMillis("a"));
        assertEquals(0, limit.waitMillis("b"), "another source is not slowed");
        clock.advanceMillis(4_000);
        assertEquals(0, limit.waitMillis("a"));
        for (int i = 0; i < 40; i++) {
            limit.onWrong("a");
        }
        assertEquals(GuessLimit.MAX_DELAY_MILLIS, limit.waitMillis("a"), "the wait is bounded");
        limit.onRight("a");
        assertEquals(0, limit.waitMillis("a"));
    }

    @Test
    void aFloodOfSourcesIsBoundedByForgettingTheOldest() {
        GuessLimit<Integer> limit = new GuessLimit<>(new FakeClock(), 3);
        for (int source = 0; source < 10; source++) {
            limit.onWrong(source);
        }
        assertEquals(3, limit.size());
        assertEquals(0, limit.waitMillis(0));
        assertTrue(limit.waitMillis(9) > 0);
    }

    @Test
    void anIpv6GuesserIsOneSourceAcrossItsWholeSlash64() throws Exception {
        GuessLimit<InetAddress> limit = new GuessLimit<>(new FakeClock());
        limit.onWrong(GuessLimit.sourceOf(InetAddress.getByName("2001:db8:1:2::1")));
        assertTrue(limit.waitMillis(GuessLimit.sourceOf(InetAddress.getByName("2001:db8:1:2:ffff:1:2:3"))) > 0,
                "another address of the same /64 waits too");
        assertEquals(0, limit.waitMillis(GuessLimit.sourceOf(InetAddress.getByName("2001:db8:1:3::1"))),
                "the next /64 is another source");
        InetAddress v4 = InetAddress.getByName("192.0.2.7");
        assertEquals(v4, GuessLimit.sourceOf(v4), "an IPv4 address is its own source");
    }

    private static byte[] hex(String text) {
        byte[] bytes = new byte[text.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    @Test
    void aPasswordFileGivesItsFirstLineOnly(@TempDir Path dir)
            throws IOException {
        Path file = Files.writeString(dir.resolve("pw"), "open sesame\r\nsecond line\n");
        assertEquals("open sesame", new String(PasswordHash.readFirstLine(file, "--password-file")));
        Files.writeString(file, "\nafter an empty first line");
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> PasswordHash.readFirstLine(file, "--password-file"));
        assertTrue(empty.getMessage().startsWith("--password-file: a password of 0 characters"), empty.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> PasswordHash.readFirstLine(dir.resolve("missing"), "--password-file"));
    }
}
