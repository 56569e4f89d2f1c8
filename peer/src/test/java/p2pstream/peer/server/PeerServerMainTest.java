package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import p2pstream.common.cli.Cli;

/** The peer-server's command line, checked before anything listens. */
class PeerServerMainTest {

    @Test
    void liveDurationsTakeUnitsAndABareNumberStillCountsMilliseconds() {
        // --reveal-delay's bound is checked after every duration was parsed: reaching it means they were accepted
        String err = run("127.0.0.1", "--live", "cam", "--chunk-interval", "250ms", "--linger", "5s",
                "--reveal-delay", "2m");
        assertTrue(err.contains("--reveal-delay: 120000 (expected: <= 60000"), err);
        err = run("127.0.0.1", "--live", "cam", "--chunk-interval", "250", "--linger", "10000",
                "--reveal-delay", "61000");
        assertTrue(err.contains("--reveal-delay: 61000 (expected: <= 60000"), err);
        err = run("127.0.0.1", "--live", "cam", "--linger", "5x");
        assertTrue(err.contains("--linger: 5x (expected: a duration such as 500ms, 5s or 2m,"
                + " or a bare number of milliseconds)"), err);
    }

    @Test
    void anUploadLimitWithABareLetterIsRefusedWithTheAcceptedForms() {
        String err = run("127.0.0.1", "--upload-limit", "4M");
        assertTrue(err.contains("--upload-limit: 4M (expected: a rate such as 4Mbit/s, 500kB/s,"
                + " 25MiB/s or bytes per second)"), err);
    }

    static String run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            assertEquals(Cli.USAGE, Cli.run(new PeerServerMain(), args));
        } finally {
            System.setErr(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
