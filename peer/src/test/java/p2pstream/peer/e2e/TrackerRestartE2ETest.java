package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Trial;

/**
 * The tracker process killed with SIGKILL while a viewer streams, and started again on its port: the viewer
 * keeps streaming from the peers it is connected to, the peer-servers register again on their own, and a new
 * viewer finds them.
 */
class TrackerRestartE2ETest {
    private static final Pattern LISTED = Pattern.compile("film\\.bin .* (\\d+) \\((\\d+) complete\\)");
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    @HostileCase(value = "Tracker killed (SIGKILL) and restarted on its port while a viewer streams (built jars)",
            expect = "the viewer's stream goes on from its peers and completes with identical bytes; both peer-servers"
                    + " register again on their own; a new viewer finds them and completes",
            section = HostileCase.FAULTS)
    @Timeout(180)
    void viewerKeepsStreamingAndServersRegisterAgainAfterTheTrackerRestarts(Trial trial) throws Exception {
        Path media = dir.resolve("media");
        byte[] data = Processes.randomFile(media, "film.bin", 16 * 1024 * 1024 + 5, 10);
        Processes.Listening tracker = processes.startTracker(0);
        int port = tracker.port();
        String address = "127.0.0.1:" + port;
        for (int i = 0; i < 2; i++) {
            processes.startPeerServer(port, media, "2MB/s"); // 4 MB/s in all: the stream lasts about 4 s
        }
        Path out = dir.resolve("first.bin");
        Process viewer = processes.start("peer-client.jar", address, "film.bin", "-o", out.toString());
        CompletableFuture<String> viewerErr = CompletableFuture.supplyAsync(() -> Processes.stderr(viewer));
        Path record = dir.resolve("first.bin.p2ps");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ViewerFiles.verified(record).cardinality() < 4 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000); // poll the record until the stream is under way
        }
        assertTrue(ViewerFiles.verified(record).cardinality() >= 4, "the stream was not under way before the kill");

        long killed = System.nanoTime();
        tracker.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        processes.startTracker(port);
        trial.recordSecondsSince("seconds without a tracker", killed);
        int verifiedAtRestart = ViewerFiles.verified(record).cardinality();
        assertTrue(viewer.isAlive() && verifiedAtRestart < 64, "the viewer was not mid-stream: " + verifiedAtRestart);

        long restarted = System.nanoTime();
        int seeds = 0;
        while (seeds < 2 && System.nanoTime() - restarted < TimeUnit.SECONDS.toNanos(30)) {
            seeds = listedSeeds(address);
        }
        assertEquals(2, seeds, "peer-servers registered again");
        trial.recordSecondsSince("seconds until both peer-servers registered again", restarted);

        Path second = dir.resolve("second.bin");
        Process late = processes.start("peer-client.jar", address, "film.bin", "-o", second.toString());
        CompletableFuture<String> lateErr = CompletableFuture.supplyAsync(() -> Processes.stderr(late));
        assertTrue(late.waitFor(120, TimeUnit.SECONDS), "the new viewer did not finish");
        assertEquals(0, late.exitValue(), lateErr.get());
        assertArrayEquals(data, Files.readAllBytes(second), "the new viewer's output");

        assertTrue(viewer.waitFor(120, TimeUnit.SECONDS), "the first viewer did not finish");
        assertEquals(0, viewer.exitValue(), viewerErr.get());
        assertArrayEquals(data, Files.readAllBytes(out), "the first viewer's output");
        trial.record("chunks the first viewer had when the tracker came back", verifiedAtRestart);
        trial.record("viewers completed with identical bytes", 2);
    }

    /** Complete holders of film.bin in the tracker's listing, or 0. */
    private int listedSeeds(String tracker) throws Exception {
        Process list = processes.start("peer-client.jar", tracker, "--list");
        String listing = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        list.waitFor(30, TimeUnit.SECONDS);
        Matcher m = LISTED.matcher(listing);
        return m.find() ? Integer.parseInt(m.group(2)) : 0;
    }
}
