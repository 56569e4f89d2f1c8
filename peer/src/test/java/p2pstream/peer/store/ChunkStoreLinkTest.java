package p2pstream.peer.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store never writes through a symbolic link placed where its data file or its record goes. */
class ChunkStoreLinkTest {
    @TempDir
    Path dir;

    @Test
    void aLinkInPlaceOfTheRecordIsRefusedAndItsTargetLeftAlone() throws Exception {
        Manifest m = manifest();
        byte[] precious = bytes(5000, 2);
        Path victim = Files.write(dir.resolve("precious.txt"), precious);
        Path out = dir.resolve("out.bin");
        Files.createSymbolicLink(ChunkStore.recordPathFor(out), victim);

        IOException e = assertThrows(IOException.class, () -> ChunkStore.open(m, out).close());
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertArrayEquals(precious, Files.readAllBytes(victim), "the link's target was written");
    }

    @Test
    void aLinkInPlaceOfTheOutputIsRefusedAndItsTargetLeftAlone() throws Exception {
        Manifest m = manifest();
        byte[] precious = bytes(300_000, 3); // longer than the stream: a store would truncate it
        Path victim = Files.write(dir.resolve("precious.bin"), precious);
        Path out = dir.resolve("out.bin");
        Files.createSymbolicLink(out, victim);

        IOException e = assertThrows(IOException.class, () -> ChunkStore.open(m, out).close());
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertArrayEquals(precious, Files.readAllBytes(victim), "the link's target was written");
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
