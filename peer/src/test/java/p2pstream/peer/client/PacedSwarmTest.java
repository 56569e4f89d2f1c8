package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.Await;

/**
 * Viewers paced like players at a bitrate, an origin that can upload only twice that: the stream plays for
 * everyone only because viewers serve each other.
 */
class PacedSwarmTest {
    private static final long BITRATE = 2_000_000; // bytes per second
    private static final int VIEWERS = 8;

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void pacedViewersPlayWithoutStallsFromAnOriginCappedAtTwiceTheBitrate() throws Exception {
        int size = 12 * 1024 * 1024;
        Path source = TestSwarm.randomFile(dir, "source.bin", size, 31);
        String expected = TestSwarm.sha256(source);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "live-event.ts", 1, 2 * BITRATE)) {
            List<CompletableFuture<Stats>> viewers = new ArrayList<>();
            for (int v = 0; v < VIEWERS; v++) {
                if (v > 0) {
                    // viewers join a second apart: the scenario, not a wait
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                }
                Path out = dir.resolve("viewer-" + v + ".ts");
                Watch.Config config = swarm.config("live-event.ts").withPacing(BITRATE, 2_000)
                        .withNoPeerTimeoutMillis(30_000);
                viewers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return TestSwarm.download(config, out);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            long fromViewers = 0;
            long total = 0;
            for (int v = 0; v < VIEWERS; v++) {
                Stats s = viewers.get(v).get(120, TimeUnit.SECONDS);
                assertTrue(s.complete(), "viewer " + v);
                assertEquals(expected, s.sha256(), "viewer " + v);
                assertEquals(expected, TestSwarm.sha256(dir.resolve("viewer-" + v + ".ts")), "viewer " + v);
                assertTrue(s.continuity() >= 0.99, "viewer " + v + " continuity " + s.continuity() + ": "
                        + s.summary());
                String origin = "127.0.0.1:" + swarm.servers.get(0).address().getPort();
                for (Stats.PeerBytes p : s.peers()) {
                    total += p.bytes();
                    fromViewers += p.address().equals(origin) ? 0 : p.bytes();
                }
            }
            double copies = swarm.servers.get(0).uploadedBytes() / (double) Files.size(source);
            System.out.printf("paced swarm: %d viewers, origin uploaded %.2f copies, offload %.2f%n", VIEWERS, copies,
                    fromViewers / (double) total);
            assertTrue(copies < 3, "origin uploaded " + copies + " copies of the stream");
        }
    }

    @Test
    @Timeout(120)
    void viewerLeavingMidStreamDoesNotStallThoseFetchingFromIt() throws Exception {
        int size = 8 * 1024 * 1024;
        Path source = TestSwarm.randomFile(dir, "source.bin", size, 32);
        // the origin's cap is 4x the watcher's rate: the leaver, at full speed, takes about 3x of it and soon holds
        // chunks the watcher has yet to ask for (at 2x it moved no faster than the watcher's window, which the watcher
        // fills at once, and in about one run in five the watcher never had a chunk to ask of it)
        try (TestSwarm swarm = TestSwarm.start(dir, source, "talk.ts", 1, 4 * BITRATE)) {
            // the leaver fetches at full speed and stops serving once it is done; the watcher is paced behind it
            CompletableFuture<Stats> leaver =
                    CompletableFuture.supplyAsync(() -> fetch(swarm.config("talk.ts"), dir.resolve("leaver.ts")));
            Await.await("the leaver announcing what it holds", 30_000, () -> swarm.tracker.entryCount() >= 2);
            assertEquals(2, swarm.tracker.entryCount(), "the leaver never announced what it holds");
            // a short window keeps the watcher fetching as it plays, so the leaver goes away while it still
            // needs chunks
            Stats watcher = fetch(swarm.config("talk.ts").withPacing(BITRATE, 1_000).withWindowChunks(8),
                    dir.resolve("watcher.ts"));
            leaver.get(60, TimeUnit.SECONDS);

            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(dir.resolve("watcher.ts")));
            assertTrue(watcher.continuity() >= 0.99, watcher.summary());
            String origin = "127.0.0.1:" + swarm.servers.get(0).address().getPort();
            long fromLeaver = watcher.peers().stream().filter(p -> !p.address().equals(origin))
                    .mapToLong(Stats.PeerBytes::bytes).sum();
            assertTrue(fromLeaver > 0 && fromLeaver < size,
                    "the watcher should have fetched part of the stream from the leaver: " + watcher.peers());
        }
    }

    private static Stats fetch(Watch.Config config, Path out) {
        try {
            return TestSwarm.download(config, out);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
