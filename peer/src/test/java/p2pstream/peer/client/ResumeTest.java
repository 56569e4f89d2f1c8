package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;

/** A viewer restarted on the same output file keeps what it had verified and fetches only the rest. */
class ResumeTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void restartFetchesOnlyWhatIsMissingAndRefetchesWhatNoLongerVerifies() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 6 * 1024 * 1024 + 100, 41);
        byte[] bytes = Files.readAllBytes(source);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "film.bin", 1, 0)) {
            Manifest m = swarm.servers.get(0).manifests().get(0);
            Path out = dir.resolve("film.bin");
            // an earlier run stored every even chunk, then died; chunk 2's bytes were damaged since
            long stored = 0;
            try (ChunkStore store = ChunkStore.open(m, out)) {
                for (int i = 0; i < m.chunkCount(); i += 2) {
                    ByteBuffer chunk = ByteBuffer.wrap(bytes, (int) m.chunkOffset(i), m.chunkLength(i));
                    if (i == 2) {
                        chunk = ByteBuffer.allocate(m.chunkLength(i)); // zeros: no longer matches
                    } else {
                        stored += m.chunkLength(i);
                    }
                    store.write(i, chunk);
                }
            }

            Stats stats = TestSwarm.download(swarm.config("film.bin"), out);

            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
            assertEquals(TestSwarm.sha256(source), stats.sha256());
            assertEquals(stored, stats.resumedBytes());
            long fetched = stats.peers().stream().mapToLong(Stats.PeerBytes::bytes).sum();
            assertEquals(m.size() - stored, fetched, "fetched exactly the chunks not verified in the store");
            assertTrue(stats.complete());
        }
    }

    @Test
    @Timeout(60)
    void recordWhoseFileWasDeletedIsStartedAfresh() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 2 * 1024 * 1024, 42);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "clip.bin", 1, 0)) {
            Path out = dir.resolve("clip.bin");
            TestSwarm.download(swarm.config("clip.bin"), out);
            Files.delete(out); // the record stays behind, claiming every chunk

            Stats again = TestSwarm.download(swarm.config("clip.bin"), out);
            assertEquals(0, again.resumedBytes());
            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
        }
    }
}
