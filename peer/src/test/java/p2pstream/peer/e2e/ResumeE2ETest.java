package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A viewer killed with SIGKILL and started again with the same command fetches only what it was missing. */
class ResumeE2ETest {
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    @Test
    @Timeout(180)
    void killedViewerResumesWithoutRefetchingWhatItVerified() throws Exception {
        Path media = dir.resolve("media");
        byte[] data = Processes.randomFile(media, "film.bin", 16 * 1024 * 1024 + 5, 8);
        int trackerPort = processes.startTracker();
        processes.startPeerServer(trackerPort, media, "4MB/s"); // slow: the viewer is surely mid-stream when killed

        Path out = dir.resolve("film.bin");
        Path record = dir.resolve("film.bin.p2ps");
        String tracker = "127.0.0.1:" + trackerPort;
        Process first = processes.start("peer-client.jar", tracker, "film.bin", "-o", out.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ViewerFiles.verified(record).cardinality() < 8 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000); // poll the record until a few chunks are verified
        }
        assertTrue(ViewerFiles.verified(record).cardinality() >= 8,
                "the first run verified too little before the kill");
        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no chance to tidy up
        int before = ViewerFiles.verified(record).cardinality();

        Path stats = dir.resolve("stats.json");
        Process second = processes.start("peer-client.jar", tracker, "film.bin", "-o", out.toString(), "--stats-json",
                stats.toString());
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> Processes.stderr(second));
        assertTrue(second.waitFor(120, TimeUnit.SECONDS), "the second run did not finish");
        assertEquals(0, second.exitValue(), err.get());

        assertTrue(Arrays.equals(data, Files.readAllBytes(out)), "output differs from the stream");
        String json = Files.readString(stats);
        long resumed = ViewerFiles.number(json, "resumedBytes");
        assertTrue(resumed >= (long) before * 256 * 1024 - 256 * 1024, "resumed " + resumed + " bytes, record had "
                + before + " chunks: " + json);
        assertEquals(data.length - resumed, ViewerFiles.fetchedBytes(json),
                "fetched more than what was missing: " + json);
        assertTrue(json.contains(ViewerFiles.sha256(data)), json);
    }
}
