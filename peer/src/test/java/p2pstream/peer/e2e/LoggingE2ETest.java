package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: the three programs' log lines, as a user runs the built jars: every line carries a timestamp (the
 * tracker's had none, its logger being created before logging was configured), and {@code --log-level},
 * {@code -q} and {@code --log-file} work the same on all three.
 */
class LoggingE2ETest {
    /** slf4j-simple's line as the programs configure it: {@code 12:34:56.789 INFO Tracker - ...}. */
    private static final Pattern LOG_LINE =
            Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR) \\S+ - .*");
    /** slf4j-simple's line when nobody configured it: {@code [main] INFO p2pstream.tracker.Tracker - ...}. */
    private static final Pattern UNCONFIGURED_LINE = Pattern.compile("^\\[[^]]+\\] (TRACE|DEBUG|INFO|WARN|ERROR) .*");
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    /** A server started with stderr in a file; stopped (SIGTERM) by {@link #stop}. */
    private record Server(Process process, int port, Path stderr) {
    }

    private Server startServer(String name, String jar, String... args) throws IOException {
        Path err = dir.resolve(name + ".err");
        Process p = processes.start(Processes.java(jar, args).redirectError(err.toFile()));
        try {
            return new Server(p, Processes.awaitPort(p, jar), err);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + ": " + Files.readString(err), e);
        }
    }

    /** Stops {@code s} as Ctrl-C would and returns everything it wrote to stderr. */
    private static String stop(Server s) throws Exception {
        s.process().destroy();
        assertTrue(s.process().waitFor(20, TimeUnit.SECONDS), "still running");
        return Files.readString(s.stderr());
    }

    private Server tracker(String... extra) throws IOException {
        return startServer("tracker", "tracker.jar", concat(List.of("127.0.0.1", "--port", "0"), extra));
    }

    private Server peerServer(int trackerPort, Path media, String... extra) throws IOException {
        return startServer("peer-server", "peer-server.jar", concat(List.of("127.0.0.1", "--port", "0", "--tracker",
                "127.0.0.1:" + trackerPort, "--dir", media.toString()), extra));
    }

    private static String[] concat(List<String> head, String... tail) {
        String[] all = head.toArray(new String[head.size() + tail.length]);
        System.arraycopy(tail, 0, all, head.size(), tail.length);
        return all;
    }

    private static void assertEveryLineIsATimestampedLogLine(String what, String text) {
        assertFalse(text.isBlank(), what + " logged nothing");
        for (String line : text.split("\n")) {
            assertTrue(LOG_LINE.matcher(line).matches(), what + ": a line without a timestamp: " + line + "\n" + text);
        }
    }

    private static void assertNoUnconfiguredLine(String what, String text) {
        for (String line : text.split("\n")) {
            assertFalse(UNCONFIGURED_LINE.matcher(line).matches(),
                    what + ": logged before logging was configured: " + line);
        }
    }

    @Test
    @Timeout(120)
    void everyProgramsLogLinesCarryATimestamp() throws Exception {
        Path media = dir.resolve("media");
        byte[] data = Processes.randomFile(media, "a.bin", 300_000, 1);
        Server tracker = tracker();
        Server server = peerServer(tracker.port(), media);
        Path out = dir.resolve("a.bin");
        Processes.Ended viewer = viewerOnceListed(tracker.port(), "a.bin", "-v", "-o", out.toString());
        assertEquals(0, viewer.status(), viewer.stderr());
        assertArrayEquals(data, Files.readAllBytes(out));

        String viewerLog = viewer.stderr().lines().filter(l -> !l.startsWith("done: ") && !l.startsWith("  "))
                .reduce("", (a, b) -> a + b + "\n"); // the summary is not a log line
        assertEveryLineIsATimestampedLogLine("peer-client -v", viewerLog);
        assertEveryLineIsATimestampedLogLine("peer-server", stop(server));
        String trackerLog = stop(tracker);
        assertEveryLineIsATimestampedLogLine("tracker", trackerLog);
        assertTrue(trackerLog.contains("INFO Tracker - tracker listening on"), trackerLog);
    }

    /** The viewer run to its end once the tracker lists {@code name} (a peer-server announces after hashing). */
    private Processes.Ended viewerOnceListed(int trackerPort, String name, String... args) throws Exception {
        processes.awaitListed("127.0.0.1:" + trackerPort, name);
        return processes.client(concat(List.of("127.0.0.1:" + trackerPort, name), args));
    }

    @Test
    @Timeout(120)
    void quietLeavesOnlyWarningsAndErrorsOnAllThree() throws Exception {
        Path media = dir.resolve("media");
        byte[] data = Processes.randomFile(media, "q.bin", 300_000, 2);
        Server tracker = tracker("-q");
        Server server = peerServer(tracker.port(), media, "-q");
        Path out = dir.resolve("q.bin");
        Processes.Ended viewer = viewerOnceListed(tracker.port(), "q.bin", "-q", "-o", out.toString(), "--stats-json",
                dir.resolve("q.json").toString());
        assertEquals(0, viewer.status(), viewer.stderr());
        assertArrayEquals(data, Files.readAllBytes(out));
        assertEquals("", viewer.stderr(), "peer-client -q: no summary, no progress");
        assertTrue(Files.readString(dir.resolve("q.json")).contains("\"complete\": true"),
                "the figures are still written");
        assertEquals("", stop(server), "peer-server -q: no INFO lines (hashing, listening)");
        assertEquals("", stop(tracker), "tracker -q: no INFO lines (listening, sessions)");
    }

    @Test
    @Timeout(120)
    void logLevelAndLogFileWorkOnAllThree() throws Exception {
        Path media = dir.resolve("media");
        Processes.randomFile(media, "f.bin", 300_000, 3);
        Path trackerLog = dir.resolve("tracker.log");
        Path serverLog = dir.resolve("server.log");
        Path viewerLog = dir.resolve("viewer.log");
        Server tracker = tracker("--log-level", "debug", "--log-file", trackerLog.toString());
        Server server = peerServer(tracker.port(), media, "--log-file", serverLog.toString());
        Processes.Ended viewer = viewerOnceListed(tracker.port(), "f.bin", "--log-level", "INFO", "--log-file",
                viewerLog.toString(), "-o", dir.resolve("f.bin").toString());
        assertEquals(0, viewer.status(), viewer.stderr());
        assertTrue(viewer.stderr().startsWith("done: f.bin"), "only the summary on stderr: " + viewer.stderr());
        assertEveryLineIsATimestampedLogLine("peer-client --log-file", Files.readString(viewerLog));
        assertTrue(Files.readString(viewerLog).contains(" INFO "), Files.readString(viewerLog));

        assertEquals("", stop(server), "peer-server --log-file: nothing on stderr");
        assertEveryLineIsATimestampedLogLine("peer-server --log-file", Files.readString(serverLog));
        assertTrue(Files.readString(serverLog).contains("INFO SharedFiles - hashing 1 files"),
                Files.readString(serverLog));

        assertEquals("", stop(tracker), "tracker --log-file: nothing on stderr");
        String log = Files.readString(trackerLog);
        assertEveryLineIsATimestampedLogLine("tracker --log-file", log);
        assertTrue(log.contains(" DEBUG TrackerSession - ") && log.contains(" connected"), "--log-level debug: " + log);
    }

    @Test
    @Timeout(120)
    void aBadLevelOrAnUnwritableLogFileIsAUsageError() throws Exception {
        Path noDir = dir.resolve("no-such-dir/x.log");
        for (String jar : List.of("tracker.jar", "peer-server.jar", "peer-client.jar")) {
            String first = jar.equals("peer-client.jar") ? "127.0.0.1:1" : "127.0.0.1";
            Processes.Ended loud = processes.runToEnd(Processes.java(jar, first, "--port", "0", "--log-level", "loud"));
            assertEquals(2, loud.status(), jar + ": " + loud.stderr());
            assertTrue(loud.stderr().contains(
                    "--log-level: loud (expected: one of trace, debug, info, warn, error, off)"),
                    jar + ": " + loud.stderr());
            Processes.Ended file =
                    processes.runToEnd(Processes.java(jar, first, "--port", "0", "--log-file", noDir.toString()));
            assertEquals(2, file.status(), jar + ": " + file.stderr());
            assertTrue(file.stderr().contains("--log-file: " + noDir + " cannot be written: no such directory"),
                    jar + ": " + file.stderr());
            assertNoUnconfiguredLine(jar, file.stderr());
        }
    }
}
