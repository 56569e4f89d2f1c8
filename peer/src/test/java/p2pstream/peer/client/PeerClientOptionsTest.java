package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.cli.Cli;
import p2pstream.common.wire.PeerId;

/** The viewer's option values, checked before any network work. */
class PeerClientOptionsTest {
    @TempDir
    Path dir;

    @Test
    void durationsTakeUnitsAndABareNumberStillCountsSeconds() {
        // without a STREAM the command stops right after the options were checked
        String err = run("127.0.0.1:1", "--no-peer-timeout", "5s", "--buffer", "500ms", "--latency", "2m");
        assertTrue(err.contains("STREAM: missing"), err);
        err = run("127.0.0.1:1", "--no-peer-timeout", "20", "--buffer", "1.5", "--latency", "3");
        assertTrue(err.contains("STREAM: missing"), err);
        err = run("127.0.0.1:1", "--latency", "2h");
        assertTrue(err.contains("--latency: 2h (expected: more than 0, at most 1h)"), err);
        err = run("127.0.0.1:1", "--buffer", "5x");
        assertTrue(err.contains("--buffer: 5x (expected: a duration such as 500ms, 5s or 2m,"
                + " or a bare number of seconds)"), err);
    }

    @Test
    void aRateWithABareLetterIsAmbiguousAndRefusedWithTheAcceptedForms() {
        String err = run("127.0.0.1:1", "x.bin", "-o", dir.resolve("x.bin").toString(), "--rate", "4M");
        assertTrue(err.contains("--rate: 4M (expected: a rate such as 4Mbit/s, 500kB/s, 25MiB/s or bytes per second)"),
                err);
    }

    @Test
    void aPeerTakesTheOwnersIdAfterTheHashOneForAll() {
        String owner = PeerId.random().text();
        // accepted without --password-file: the command goes on to its next check
        String err = run("127.0.0.1:1", "--peer", "127.0.0.1:2#" + owner, "--peer", "127.0.0.1:3", "--peer",
                "127.0.0.1:4#" + owner.toLowerCase(Locale.ROOT));
        assertTrue(err.contains("STREAM: missing"), err);
        err = run("127.0.0.1:1", "--peer", "127.0.0.1:2#XYZ");
        assertTrue(err.contains("--peer: peer id: "), err);
        String other = PeerId.random().text();
        err = run("127.0.0.1:1", "--peer", "127.0.0.1:2#" + owner, "--peer", "127.0.0.1:3#" + other);
        assertTrue(err.contains("--peer: 127.0.0.1:3#" + other + " (expected: #" + owner + " as before, or no #ID:"
                + " #ID names the stream's owner, one for every --peer)"), err);
        err = run("127.0.0.1:1", "--peer", "127.0.0.1#" + owner);
        assertTrue(err.contains("--peer: 127.0.0.1#" + owner + " (expected: HOST:PORT[#OWNER-ID])"), err);
    }

    static String run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            assertEquals(Cli.USAGE, Cli.run(new PeerClientMain(), args));
        } finally {
            System.setErr(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
