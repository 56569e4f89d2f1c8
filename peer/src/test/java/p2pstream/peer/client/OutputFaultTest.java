package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Trial;
import p2pstream.peer.store.ChunkStore;

/**
 * An output that cannot be written ends the download with a clear message naming the file and the reason,
 * and the failed-part-way status; the peers it used go on serving others.
 */
class OutputFaultTest {
    /** Header of the record beside the output: magic, format, content id, chunk count. */
    private static final int RECORD_HEADER_BYTES = 4 + 1 + 32 + 4;

    @TempDir
    Path dir;

    @HostileCase(value = "Disk full from the first write: the output is a link to /dev/full (viewer, in-JVM)",
            expect = "the download fails with 'No space left on device' naming the file and exit status 1; nothing"
                    + " recorded as verified; the peer-server serves the next viewer", section = HostileCase.FAULTS)
    @Timeout(60)
    void fullDiskEndsTheDownloadWithAClearErrorAndRecordsNothingFalse(Trial trial) throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "no writable /dev/full here");
        Path source = TestSwarm.randomFile(dir, "source.bin", 4 * 1024 * 1024, 61);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "clip.bin", 1, 0)) {
            Path out = Files.createSymbolicLink(dir.resolve("out.bin"), full);
            WatchException e = assertThrows(WatchException.class,
                    () -> TestSwarm.download(swarm.config("clip.bin").withUpload(false), out));
            assertEquals(WatchException.FAILED, e.exitStatus(), e.getMessage());
            assertTrue(e.getMessage().startsWith("output: cannot write chunk "), e.getMessage());
            assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("No space left on device"),
                    e.getMessage());
            Path record = ChunkStore.recordPathFor(out);
            byte[] bytes = Files.readAllBytes(record);
            int verified = 0;
            for (int i = RECORD_HEADER_BYTES; i < bytes.length; i++) {
                verified += bytes[i];
            }
            assertEquals(0, verified, "chunks recorded as verified on a disk that took none");
            trial.record("exit status", e.exitStatus());
            trial.record("chunks recorded as verified", verified);

            Path good = dir.resolve("good.bin");
            TestSwarm.download(swarm.config("clip.bin").withUpload(false), good);
            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(good));
            trial.record("next viewer's streams completed with identical SHA-256", 1);
        } finally {
            Files.deleteIfExists(dir.resolve("out.bin")); // the link, before @TempDir warns about its target
        }
    }

    @Test
    @Timeout(60)
    void outputInAMissingDirectoryOrUnderAFileFailsNamingTheFileAndTheReason() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 1024 * 1024, 62);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "clip.bin", 1, 0)) {
            Path missing = dir.resolve("no-such-dir").resolve("out.bin");
            WatchException e = assertThrows(WatchException.class,
                    () -> TestSwarm.download(swarm.config("clip.bin").withUpload(false), missing));
            assertEquals(WatchException.FAILED, e.exitStatus());
            assertEquals("output: cannot open " + missing + ": no such file or directory (expected: a writable file"
                    + " in an existing directory)", e.getMessage());

            Path underAFile = source.resolve("out.bin");
            e = assertThrows(WatchException.class,
                    () -> TestSwarm.download(swarm.config("clip.bin").withUpload(false), underAFile));
            assertEquals("output: cannot open " + underAFile + ": Not a directory (expected: a writable file in an"
                    + " existing directory)", e.getMessage());
        }
    }
}
