package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import p2pstream.common.cli.Cli;

/** The tracker's command line, checked before anything listens. */
class TrackerCommandTest {

    @Test
    void sessionTimeoutTakesAUnitAndABareNumberStillCountsSeconds() {
        // a later bad option stops the command after the durations were accepted
        String err = run("127.0.0.1", "--port", "0", "--session-timeout", "90s", "--max-entries", "0");
        assertTrue(err.contains("--max-entries: 0 (expected: at least 1)"), err);
        err = run("127.0.0.1", "--port", "0", "--session-timeout", "2m", "--max-entries", "0");
        assertTrue(err.contains("--max-entries: 0"), err);
        err = run("127.0.0.1", "--port", "0", "--session-timeout", "60", "--max-entries", "0");
        assertTrue(err.contains("--max-entries: 0"), err);
        err = run("127.0.0.1", "--port", "0", "--session-timeout", "soon");
        assertTrue(err.contains("--session-timeout: soon (expected: a duration such as 500ms, 5s or 2m"), err);
    }

    static String run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            assertEquals(Cli.USAGE, Cli.run(new Tracker.Command(), args));
        } finally {
            System.setErr(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
