package p2pstream.peer.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Trial;

/** A store never writes through a symbolic link placed where its data file or its record goes. */
class ChunkStoreLinkTest {
    @TempDir
    Path dir;

    @HostileCase(value = "A symbolic link placed where a viewer's resume record FILE.p2ps goes, pointing at another"
            + " file",
            expect = "the store refuses to open it, naming the link; the link's target is left byte for byte as it was",
            section = HostileCase.FAULTS)
    void aLinkInPlaceOfTheRecordIsRefusedAndItsTargetLeftAlone(Trial trial) throws Exception {
        Manifest m = manifest();
        byte[] precious = bytes(5000, 2);
        Path victim = Files.write(dir.resolve("precious.txt"), precious);
        Path out = dir.resolve("out.bin");
        Files.createSymbolicLink(ChunkStore.recordPathFor(out), victim);

        IOException e = assertThrows(IOException.class, () -> ChunkStore.open(m, out).close());
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertArrayEquals(precious, Files.readAllBytes(victim), "the link's target was written");
        trial.record("bytes of the link's target changed", 0);
    }

    @HostileCase(value = "A symbolic link placed where a viewer's output file goes, pointing at a longer file",
            expect = "the store refuses to open it, naming the link; the link's target is left byte for byte as it was",
            section = HostileCase.FAULTS)
    void aLinkInPlaceOfTheOutputIsRefusedAndItsTargetLeftAlone(Trial trial) throws Exception {
        Manifest m = manifest();
        byte[] precious = bytes(300_000, 3); // longer than the stream: a store would truncate it
        Path victim = Files.write(dir.resolve("precious.bin"), precious);
        Path out = dir.resolve("out.bin");
        Files.createSymbolicLink(out, victim);

        IOException e = assertThrows(IOException.class, () -> ChunkStore.open(m, out).close());
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertArrayEquals(precious, Files.readAllBytes(victim), "the link's target was written");
        trial.record("bytes of the link's target changed", 0);
    }

    private Manifest manifest() throws IOException {
        Path source = Files.write(dir.resolve("source.bin"), bytes(200_000, 1));
        return ManifestCache.compute("s.bin", source, 64 * 1024);
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
