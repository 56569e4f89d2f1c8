package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peer-client --all PREFIX -o DIR} against the built jars: every file under a folder arrives identical, the
 * files beside the folder do not, and a run interrupted part-way (SIGTERM) is finished by running it again, which
 * keeps what the first run completed and resumes what it had begun.
 */
class FetchAllE2ETest {
    private static final int FILES = 20;
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
    void aFolderOfTwentyFilesArrivesWholeAndAnInterruptedRunIsFinishedByTheNext() throws Exception {
        Path share = dir.resolve("share");
        Map<String, byte[]> folder = new LinkedHashMap<>();
        for (int i = 0; i < FILES; i++) {
            // 3-6 chunks of 256 KiB: a file under way when the run is stopped has some of them stored
            String name = String.format("clip-%02d.bin", i);
            folder.put("june/" + name, Processes.randomFile(share.resolve("club/june"), name, 700_000 + 37_000 * i,
                    40 + i));
        }
        Processes.randomFile(share.resolve("club"), "july.bin", 50_000, 99);
        Processes.randomFile(share, "other.bin", 50_000, 98);
        int trackerPort = processes.startTracker();
        String tracker = "127.0.0.1:" + trackerPort;
        // about 17 MB at 2 MB/s: a file takes about half a second, so one seen part-way is still part-way when the
        // SIGTERM lands, even on a loaded machine (at 4 MB/s it sometimes finished first and none was left to resume)
        processes.startPeerServer(trackerPort, share, "2MB/s");
        processes.awaitListed(tracker, "club/june/clip-19.bin");
        Path out = dir.resolve("out");

        Path errFile = dir.resolve("first.err");
        Process first = processes.start(Processes.java("peer-client.jar", tracker, "--all", "club/june", "-o",
                out.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(errFile.toFile()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(doneLines(errFile) >= 3 && someFileHalfIn(out)) && first.isAlive()
                && System.nanoTime() < deadline) {
            LockSupport.parkNanos(20_000_000); // poll until three files are in and another is on its way
        }
        assertTrue(doneLines(errFile) >= 3 && someFileHalfIn(out) && first.isAlive(), Files.readString(errFile));
        first.destroy(); // SIGTERM: the files under way end resumable
        assertTrue(first.waitFor(30, TimeUnit.SECONDS), "the first run ended");
        String firstSaid = Files.readString(errFile);
        assertEquals(143, first.exitValue(), "ended by SIGTERM: " + firstSaid);
        assertTrue(firstSaid.contains("incomplete club/june: " + FILES + " files"), firstSaid);
        int kept = 0;
        for (String name : folder.keySet()) {
            Path file = out.resolve(name);
            boolean whole = Files.exists(file) && !Files.exists(Path.of(file + ".p2ps"));
            kept += whole ? 1 : 0;
        }
        assertTrue(kept >= 3 && kept < FILES, kept + " files whole after the interruption: " + firstSaid);

        Processes.Ended second = processes.client(tracker, "--all", "club/june", "-o", out.toString());
        assertEquals(0, second.status(), second.stderr());
        System.out.println("get-all, first run:\n" + firstSaid + "second run:\n" + second.stderr());
        assertTrue(second.stderr().contains("done club/june: " + FILES + " files, " + FILES + " complete ("
                + kept + " already there"), second.stderr());
        assertTrue(second.stderr().contains(": resumed, "), "a file under way went on from its record: "
                + second.stderr());
        for (Map.Entry<String, byte[]> f : folder.entrySet()) {
            Path file = out.resolve(f.getKey());
            assertArrayEquals(sha256(f.getValue()), sha256(Files.readAllBytes(file)), f.getKey());
            assertFalse(Files.exists(Path.of(file + ".p2ps")), "no record left beside " + file);
        }
        assertFalse(Files.exists(out.resolve("july.bin")) || Files.exists(out.resolve("other.bin")),
                "nothing outside the folder");
        try (var walk = Files.walk(out)) {
            assertEquals(FILES, walk.filter(Files::isRegularFile).count(), "the folder's files and nothing else");
        }
    }

    @Test
    @Timeout(60)
    void aPrefixWithNoFilesUnderItIsNotFound() throws Exception {
        Processes.randomFile(dir.resolve("share"), "a.bin", 10_000, 1);
        int trackerPort = processes.startTracker();
        String tracker = "127.0.0.1:" + trackerPort;
        processes.startPeerServer(trackerPort, dir.resolve("share"), "20MB/s");
        processes.awaitListed(tracker, "a.bin");
        // "a" is a name's beginning, not a folder: a.bin is not under it
        Processes.Ended o = processes.client(tracker, "--all", "a", "-o", dir.resolve("out").toString());
        assertEquals(3, o.status(), o.stderr());
        assertTrue(o.stderr().contains("--all a: no file the tracker lists to this peer id is under it"), o.stderr());
    }

    /**
     * Whether a file under {@code out} is part-way: its record (magic, format, content id, chunk count, then a byte
     * per chunk) says some of its chunks are verified and some are not.
     */
    private static boolean someFileHalfIn(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return false;
        }
        try (var walk = Files.walk(out)) {
            for (Path record : walk.filter(p -> p.toString().endsWith(".p2ps")).toList()) {
                byte[] b;
                try {
                    b = Files.readAllBytes(record);
                } catch (IOException e) {
                    continue; // deleted as its file completed
                }
                boolean some = false;
                boolean all = b.length > RECORD_HEADER_BYTES;
                for (int i = RECORD_HEADER_BYTES; i < b.length; i++) {
                    some |= b[i] == 1;
                    all &= b[i] == 1;
                }
                if (some && !all) {
                    return true;
                }
            }
        }
        return false;
    }

    private static long doneLines(Path errFile) throws IOException {
        return Files.exists(errFile) ? Files.readAllLines(errFile).stream().filter(l -> l.contains("] done "))
                .count() : 0;
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
