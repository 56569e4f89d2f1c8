package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A viewer killed with SIGKILL and started again with the same command fetches only what it was missing. */
class ResumeE2ETest {
    /** Header of the record beside the output: magic, format, content id, chunk count. */
    private static final int RECORD_HEADER_BYTES = 4 + 1 + 32 + 4;
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
        while (verified(record) < 8 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000); // poll the record until a few chunks are verified
        }
        assertTrue(verified(record) >= 8, "the first run verified too little before the kill");
        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no chance to tidy up
        int before = verified(record);

        Path stats = dir.resolve("stats.json");
        Process second = processes.start("peer-client.jar", tracker, "film.bin", "-o", out.toString(), "--stats-json", stats.toString());
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> Processes.stderr(second));
        assertTrue(second.waitFor(120, TimeUnit.SECONDS), "the second run did not finish");
        assertEquals(0, second.exitValue(), err.get());

        assertTrue(Arrays.equals(data, Files.readAllBytes(out)), "output differs from the stream");
        String json = Files.readString(stats);
        long resumed = number(json, "resumedBytes");
        assertTrue(resumed >= (long) before * 256 * 1024 - 256 * 1024, "resumed " + resumed + " bytes, record had " + before + " chunks: " + json);
        long fetched = 0;
        Matcher peer = Pattern.compile("\"bytes\": (\\d+), \"sent\"").matcher(json);
        while (peer.find()) {
            fetched += Long.parseLong(peer.group(1));
        }
        assertEquals(data.length - resumed, fetched, "fetched more than what was missing: " + json);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        assertTrue(json.contains(expected), json);
    }

    private static int verified(Path record) {
        try {
            byte[] bytes = Files.exists(record) ? Files.readAllBytes(record) : new byte[0];
            int n = 0;
            for (int i = RECORD_HEADER_BYTES; i < bytes.length; i++) {
                n += bytes[i] == 1 ? 1 : 0;
            }
            return n;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), key + " missing: " + json);
        return Long.parseLong(m.group(1));
    }
}
