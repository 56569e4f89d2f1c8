package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Trial;

/**
 * A viewer whose disk fills up part-way (its file size limit, set with {@code ulimit -f}, stands in for a full
 * disk without root): a clear error, status 1, the chunks verified before are intact and recorded, and the same
 * command run again with room resumes them and fetches only the rest.
 */
class DiskFullE2ETest {
    private static final int CHUNK = 256 * 1024;
    private static final int LIMIT_KIB = 4 * 1024;
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    @HostileCase(value = "Disk full mid-stream: the viewer may write 4 MiB of a 16 MiB stream (ulimit -f; built jars)",
            expect = "exit status 1 with 'cannot write chunk N to FILE: File too large'; every chunk recorded before is"
                    + " intact; the same command with room resumes them, fetches only the missing bytes, output"
                    + " identical", section = HostileCase.FAULTS)
    @Timeout(180)
    void fullDiskEndsWithStatusOneAndTheVerifiedChunksResume(Trial trial) throws Exception {
        Path media = dir.resolve("media");
        byte[] data = Processes.randomFile(media, "film.bin", 16 * 1024 * 1024 + 5, 9);
        int trackerPort = processes.startTracker();
        processes.startPeerServer(trackerPort, media, "50MB/s");
        String tracker = "127.0.0.1:" + trackerPort;
        Path out = dir.resolve("film.bin");
        Path record = dir.resolve("film.bin.p2ps");

        // a small window keeps the fetch near the playhead, so the first 4 MiB are verified before the limit bites
        Process first = processes.startWithFileSizeLimit(LIMIT_KIB, "peer-client.jar", tracker, "film.bin",
                "-o", out.toString(), "--window", "4");
        CompletableFuture<String> firstErr = CompletableFuture.supplyAsync(() -> Processes.stderr(first));
        assertTrue(first.waitFor(120, TimeUnit.SECONDS), "the first run did not end");
        String err = firstErr.get();
        assertEquals(1, first.exitValue(), err);
        assertTrue(err.contains("peer-client: output: cannot write chunk ") && err.contains(out.toString())
                && err.contains("File too large"), err);

        BitSet verified = ViewerFiles.verified(record);
        byte[] partial = Files.readAllBytes(out);
        assertTrue(partial.length <= LIMIT_KIB * 1024, "wrote past the limit: " + partial.length);
        assertTrue(verified.cardinality() >= 8, "verified before the disk filled: " + verified);
        for (int i = verified.nextSetBit(0); i >= 0; i = verified.nextSetBit(i + 1)) {
            int from = i * CHUNK;
            int to = Math.min(data.length, from + CHUNK);
            assertTrue(to <= partial.length, "chunk " + i + " recorded but not in the file");
            assertArrayEquals(Arrays.copyOfRange(data, from, to), Arrays.copyOfRange(partial, from, to), "chunk " + i);
        }
        trial.record("first run's exit status", first.exitValue());
        trial.record("chunks verified and intact before the disk filled", verified.cardinality());

        Path stats = dir.resolve("stats.json");
        Process second = processes.start("peer-client.jar", tracker, "film.bin", "-o", out.toString(),
                "--stats-json", stats.toString());
        CompletableFuture<String> secondErr = CompletableFuture.supplyAsync(() -> Processes.stderr(second));
        assertTrue(second.waitFor(120, TimeUnit.SECONDS), "the second run did not finish");
        assertEquals(0, second.exitValue(), secondErr.get());
        assertArrayEquals(data, Files.readAllBytes(out), "output differs from the stream");
        String json = Files.readString(stats);
        long resumed = ViewerFiles.number(json, "resumedBytes");
        long fetched = ViewerFiles.fetchedBytes(json);
        assertEquals((long) verified.cardinality() * CHUNK, resumed, json);
        assertEquals(data.length - resumed, fetched, "fetched more than what was missing: " + json);
        assertTrue(json.contains(ViewerFiles.sha256(data)), json);
        trial.record("MiB resumed by the second run", resumed / 1048576.0);
        trial.record("MiB fetched by the second run (exactly the missing bytes)", fetched / 1048576.0);
    }
}
