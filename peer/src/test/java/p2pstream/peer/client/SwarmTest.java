package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.Await;

/** Viewers serve what they hold, so a later viewer takes part of the stream from an earlier one. */
class SwarmTest {
    private static final long MB = 1_000_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void laterViewerFetchesFromAnEarlierViewer() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 16 * 1024 * 1024, 21);
        // a slow origin: the second viewer gets chunks sooner from the first viewer than from it
        try (TestSwarm swarm = TestSwarm.start(dir, source, "show.bin", 1, 6 * MB)) {
            String origin = "127.0.0.1:" + swarm.servers.get(0).address().getPort();
            CompletableFuture<Stats> first = CompletableFuture.supplyAsync(() -> fetch(swarm, "first.bin"));

            // the first viewer announces itself as a partial holder once it has verified a chunk
            Await.await("the first viewer announcing what it holds", 30_000, () -> swarm.tracker.entryCount() >= 2);
            assertEquals(2, swarm.tracker.entryCount(), "the first viewer never announced what it holds");
            // the second viewer plays at 2 MB/s: beyond its urgent chunks it fetches ahead from the first viewer,
            // which the 6 MB/s origin keeps ahead of it
            Stats second = TestSwarm.download(swarm.config("show.bin").withPacing(2 * MB, 1_000),
                    dir.resolve("second.bin"));
            Stats firstStats = first.get(60, TimeUnit.SECONDS);

            String expected = TestSwarm.sha256(source);
            assertEquals(expected, TestSwarm.sha256(dir.resolve("first.bin")));
            assertEquals(expected, TestSwarm.sha256(dir.resolve("second.bin")));
            long fromViewer = second.peers().stream().filter(p -> !p.address().equals(origin))
                    .mapToLong(Stats.PeerBytes::bytes).sum();
            assertTrue(fromViewer > 0, "second viewer's peers: " + second.peers());
            assertTrue(firstStats.bytesUploaded() >= fromViewer, "first viewer uploaded " + firstStats.bytesUploaded()
                    + " bytes (expected: at least the " + fromViewer + " the second received from it)");
        }
    }

    @Test
    @Timeout(60)
    void viewerWithoutUploadNeitherServesNorAnnounces() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 4 * 1024 * 1024, 22);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "quiet.bin", 1, 0)) {
            Stats stats = TestSwarm.download(swarm.config("quiet.bin").withUpload(false), dir.resolve("out.bin"));
            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(dir.resolve("out.bin")));
            assertEquals(0, stats.bytesUploaded());
            assertEquals(1, swarm.tracker.entryCount(), "only the origin is registered");
        }
    }

    private Stats fetch(TestSwarm swarm, String file) {
        try {
            return TestSwarm.download(swarm.config("show.bin"), dir.resolve(file));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
