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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Trial;

/**
 * Resuming re-hashes what an earlier run stored through a bounded window: a stream four times the heap resumes.
 * (It used to allocate a buffer for every recorded chunk at once: 1.4 GB RSS for a 1 GiB stream, and with a
 * heap smaller than the stream, OutOfMemoryErrors and a hang.)
 */
class ResumeMemoryE2ETest {
    private static final int SIZE = 256 * 1024 * 1024;
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    @HostileCase(value = "Resume of a 256 MiB stream, 3/4 stored, under -Xmx64m (built jars)",
            expect = "re-verification streams through a bounded window: exit 0, output identical, every stored chunk"
                    + " resumed, not refetched", section = HostileCase.FAULTS)
    @Timeout(240)
    void aStreamFourTimesTheHeapResumesWithinIt(Trial trial) throws Exception {
        Path media = dir.resolve("media");
        byte[] data = Processes.randomFile(media, "big.bin", SIZE, 9);
        int trackerPort = processes.startTracker();
        processes.startPeerServer(trackerPort, media, "60MB/s");

        Path out = dir.resolve("big.bin");
        Path record = dir.resolve("big.bin.p2ps");
        String tracker = "127.0.0.1:" + trackerPort;
        Process first = processes.start("peer-client.jar", tracker, "big.bin", "-o", out.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int chunks = SIZE / (256 * 1024);
        while (ViewerFiles.verified(record).cardinality() < chunks * 3 / 4 && first.isAlive()
                && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000); // poll the record until most of the stream is stored
        }
        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: the record stays as it was
        int before = ViewerFiles.verified(record).cardinality();
        assertTrue(before >= chunks / 2, "the first run stored too little to test the resume: " + before + " chunks");

        Path stats = dir.resolve("stats.json");
        long resumeStart = System.nanoTime();
        Process second = processes.startWithHeapLimit(64, "peer-client.jar", tracker, "big.bin", "-o", out.toString(),
                "--window", "16", "--stats-json", stats.toString());
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> Processes.stderr(second));
        assertTrue(second.waitFor(180, TimeUnit.SECONDS), "the resumed run did not finish");
        assertEquals(0, second.exitValue(), err.get());
        assertTrue(Arrays.equals(data, Files.readAllBytes(out)), "output differs from the stream");
        long resumed = ViewerFiles.number(Files.readString(stats), "resumedBytes");
        assertTrue(resumed >= (long) before * 256 * 1024 - 256 * 1024, "resumed " + resumed + " bytes of "
                + before + " chunks");
        trial.record("MiB resumed (stored before the kill) under a 64 MiB heap", resumed / 1048576.0);
        trial.recordSecondsSince("seconds for the resumed run", resumeStart);
    }
}
