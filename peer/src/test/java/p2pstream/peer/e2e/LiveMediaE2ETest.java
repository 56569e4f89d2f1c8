package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.peer.Ffmpeg;

/**
 * Real media through the built jars: ffmpeg encodes a test pattern to MPEG-TS into a live publisher, a viewer
 * writes what it receives, and ffprobe and ffmpeg check that it decodes without errors and lasts as long as it
 * should. ffmpeg is installed with apt where missing; the test is skipped, saying why, only where it cannot be.
 */
class LiveMediaE2ETest {
    private static final int SECONDS = 10;
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    @Test
    @Timeout(600)
    void aTestPatternFromFfmpegPlaysBackFromAViewerAndDecodesCleanly() throws Exception {
        Ffmpeg.ensure(dir);
        int trackerPort = processes.startTracker();
        String tracker = "127.0.0.1:" + trackerPort;
        ProcessBuilder ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi",
                "-i", "testsrc=size=320x240:rate=25", "-t", Integer.toString(SECONDS), "-c:v", "mpeg2video", "-b:v",
                "600k", "-f", "mpegts", "-").redirectError(dir.resolve("ffmpeg.err").toFile());
        ProcessBuilder publisher = Processes.java("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker", tracker,
                "--live", "pattern", "--key", dir.resolve("publisher.key").toString(), "--linger", "5000")
                .redirectError(dir.resolve("publisher.err").toFile());
        long encoderStartedNanos = System.nanoTime();
        Process pub = processes.pipe(ffmpeg, publisher);
        Processes.awaitPort(pub, "peer-server --live");

        Path out = dir.resolve("watched.ts");
        Path stats = dir.resolve("stats.json");
        Process viewer = startViewerWhenListed(tracker, out, stats);
        double viewerStartedSeconds = (System.nanoTime() - encoderStartedNanos) / 1e9;
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> Processes.stderr(viewer));
        assertTrue(viewer.waitFor(SECONDS + 60, TimeUnit.SECONDS), "viewer did not finish");
        assertEquals(0, viewer.exitValue(), err.get());
        String json = Files.readString(stats);
        assertTrue(json.contains("\"ended\": true") && json.contains("\"skipped\": 0"), json);

        Run probe = run("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                "default=noprint_wrappers=1:nokey=1", out.toString());
        assertEquals(0, probe.status(), probe.err());
        double duration = Double.parseDouble(probe.out().trim());
        // joined about --latency (2 s) behind the edge when its first byte went out (on a loaded machine, JVMs
        // start late; counted from the encoder's start, the earliest the pattern can begin): everything from
        // there to the end is there
        Matcher startup = Pattern.compile("\"startupMillis\": (\\d+)").matcher(json);
        assertTrue(startup.find(), json);
        double joinedSeconds = viewerStartedSeconds + Long.parseLong(startup.group(1)) / 1000.0;
        double least = Math.max(1.0, SECONDS - joinedSeconds - 1.0);
        assertTrue(duration >= least && duration <= SECONDS + 0.5, "duration " + duration + " s of a " + SECONDS
                + " s pattern, joined " + joinedSeconds + " s after it started (expected: at least " + least + ")");
        Run decode = run("ffmpeg", "-v", "error", "-i", out.toString(), "-f", "null", "-");
        assertEquals(0, decode.status(), decode.err());
        assertEquals("", decode.err().trim(), "decoding errors");
    }

    private Process startViewerWhenListed(String tracker, Path out, Path stats) throws Exception {
        processes.awaitListed(tracker, "pattern");
        return processes.start("peer-client.jar", tracker, "pattern", "-o", out.toString(), "--stats-json",
                stats.toString());
    }

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> Processes.stderr(p));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        return new Run(p.exitValue(), out, err.join());
    }
}
