package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: the progress line as a user sees it, from the built jars: percent, time left, rate, peers; downloaded
 * and played apart with the buffer in seconds when paced; a line for live viewers (they had none); the resume
 * check named (it was a frozen {@code 0 B} line); drawn on a terminal only unless {@code --progress} asks.
 */
class ProgressE2ETest {
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    private record Run(int status, String stderr) {
        /** Every state of the progress line, and the other lines, one per element. */
        List<String> lines() {
            return Arrays.asList(stderr.split("[\r\n]+"));
        }

        boolean shows(Pattern line) {
            return lines().stream().anyMatch(l -> line.matcher(l.stripTrailing()).matches());
        }
    }

    private Run client(String... args) throws Exception {
        Processes.Ended e = processes.client(args);
        return new Run(e.status(), e.stderr());
    }

    /**
     * A tracker and a capped peer-server sharing {@code bytes} random bytes as {@code name}; returns the tracker once
     * it lists the file.
     */
    private Swarm swarm(String name, int bytes, String uploadLimit) throws Exception {
        Path media = dir.resolve("media");
        byte[] data = Processes.randomFile(media, name, bytes, bytes);
        int trackerPort = processes.startTracker();
        processes.startPeerServer(trackerPort, media, uploadLimit);
        String tracker = "127.0.0.1:" + trackerPort;
        processes.awaitListed(tracker, name);
        return new Swarm(tracker, data);
    }

    private record Swarm(String tracker, byte[] data) {
    }

    @Test
    @Timeout(120)
    void anUnpacedDownloadShowsPercentRateTimeLeftAndPeers() throws Exception {
        Swarm swarm = swarm("a.bin", 3 * 1024 * 1024, "2MB/s"); // about 1.5 s: several lines
        Path out = dir.resolve("a.bin");
        Run r = client(swarm.tracker(), "a.bin", "-o", out.toString(), "--progress");
        assertEquals(0, r.status(), r.stderr());
        assertArrayEquals(swarm.data(), Files.readAllBytes(out));
        assertTrue(r.shows(Pattern.compile("a\\.bin: [0-9.]+ (B|KiB|MiB) / 3\\.0 MiB \\(\\d{1,3}%\\)  [0-9.]+ MB/s  ETA"
                + " (\\d+:\\d\\d|--:--)  peers 1  sent 0 B")), r.stderr());
        assertTrue(r.shows(Pattern.compile("a\\.bin: .* \\([1-9]\\d?%\\)  [1-9][0-9.]* MB/s  ETA \\d+:\\d\\d  .*")),
                "a rate and a time left once it is under way: " + r.stderr());
    }

    @Test
    @Timeout(120)
    void aPacedDownloadShowsDownloadedAndPlayedApartWithTheBufferInSeconds() throws Exception {
        Swarm swarm = swarm("paced.bin", 4 * 1024 * 1024, "8MB/s");
        Path out = dir.resolve("paced.bin");
        // played at 1 MB/s after a second's buffer: downloaded runs well ahead of played
        Run r = client(swarm.tracker(), "paced.bin", "-o", out.toString(), "--progress", "--rate", "8Mbit/s",
                "--buffer", "1s");
        assertEquals(0, r.status(), r.stderr());
        assertArrayEquals(swarm.data(), Files.readAllBytes(out));
        Pattern paced = Pattern.compile("paced\\.bin: downloaded (\\d+)%  played (\\d+)% of 4\\.0 MiB  buffer"
                + " \\d+\\.\\d s  [0-9.]+ MB/s  ETA \\d+:\\d\\d  peers 1  sent 0 B");
        assertTrue(r.shows(paced), r.stderr());
        assertTrue(r.lines().stream().map(l -> paced.matcher(l.stripTrailing())).anyMatch(m -> m.matches()
                && Integer.parseInt(m.group(1)) > Integer.parseInt(m.group(2)) && !m.group(2).equals("0")),
                "downloaded ahead of played while playing: " + r.stderr());
    }

    @Test
    @Timeout(120)
    void aLiveViewerShowsLatencyBitrateAndPeers() throws Exception {
        String tracker = "127.0.0.1:" + processes.startTracker();
        // about 10 s of a 1.3 Mbit/s feed, in 16 kB writes: the publisher cuts chunks every 250 ms; long enough
        // for a loaded machine to start the listing and viewer JVMs before it ends
        ProcessBuilder feed =
                new ProcessBuilder("bash", "-c", "for i in $(seq 100); do head -c 16000 /dev/urandom; sleep 0.1; done");
        ProcessBuilder publisher = Processes.java("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker", tracker,
                "--live", "cam", "--key", dir.resolve("publisher.key").toString(), "--linger", "2s")
                .redirectError(dir.resolve("publisher.err").toFile());
        Processes.awaitPort(processes.pipe(feed, publisher), "peer-server --live");
        processes.awaitListed(tracker, "cam");
        Run r = client(tracker, "cam", "-o", dir.resolve("cam.out").toString(), "--progress");
        assertEquals(0, r.status(), r.stderr());
        assertTrue(r.shows(Pattern.compile("cam: live  latency (\\d+ ms|\\d+\\.\\d s)  [0-9]+\\.\\d\\d Mbit/s  \\d+"
                + " chunks  0 skipped  peers \\d  sent .*")), r.stderr());
    }

    @Test
    @Timeout(180)
    void theResumeCheckSaysStoredChunksAreBeingVerified() throws Exception {
        // slow: the viewer is surely mid-stream when killed
        Swarm swarm = swarm("film.bin", 16 * 1024 * 1024 + 5, "4MB/s");
        Path out = dir.resolve("film.bin");
        Path record = dir.resolve("film.bin.p2ps");
        Process first = processes.start("peer-client.jar", swarm.tracker(), "film.bin", "-o", out.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ViewerFiles.verified(record).cardinality() < 8 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000); // poll the record until a few chunks are verified
        }
        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        int stored = ViewerFiles.verified(record).cardinality();
        assertTrue(stored >= 8, "the first run verified too little before the kill");

        Run again = client(swarm.tracker(), "film.bin", "-o", out.toString(), "--progress");
        assertEquals(0, again.status(), again.stderr());
        assertArrayEquals(swarm.data(), Files.readAllBytes(out));
        assertTrue(again.shows(Pattern.compile("film\\.bin: verifying stored chunks \\d+ / " + stored
                + " \\(\\d+%\\)  peers \\d")), again.stderr());
        assertFalse(again.lines().get(0).contains(" 0 B / "),
                "the first line is the check, not a frozen 0 B: " + again.stderr());
    }

    @Test
    @Timeout(120)
    void theLineIsDrawnOnATerminalAndNotIntoAPipeUnlessAsked() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1) gives the client a terminal");
        String tracker = swarm("t.bin", 2 * 1024 * 1024, "2MB/s").tracker();
        List<String> cmd = Processes.java("peer-client.jar", tracker, "t.bin", "-o", dir.resolve("t1.bin").toString())
                .command();
        // script runs the command on a pseudo-terminal (stderr included) and exits with its status (-e)
        Process onTerminal =
                processes.start(new ProcessBuilder("/usr/bin/script", "-qec", String.join(" ", cmd), "/dev/null"));
        String terminal = new String(onTerminal.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(onTerminal.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, onTerminal.exitValue(), terminal);
        assertTrue(terminal.contains("\rt.bin: ") && terminal.contains("  ETA "), terminal);

        Run piped = client(tracker, "t.bin", "-o", dir.resolve("t2.bin").toString());
        assertEquals(0, piped.status(), piped.stderr());
        assertFalse(piped.stderr().contains("\r") || piped.stderr().contains("ETA"), piped.stderr());
    }
}
