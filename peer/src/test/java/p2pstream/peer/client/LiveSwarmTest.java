package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A live feed through a capped publisher to viewers that relay it to each other. */
class LiveSwarmTest {
    private static final long BITRATE = 400_000; // bytes per second
    private static final long LATENCY_MILLIS = 2_000;

    @Test
    @Timeout(120)
    void sixViewersGetEveryChunkAfterJoiningWhileThePublisherUploadsFarLessThanSixCopies() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TestLive live = TestLive.start("cam/main", BITRATE, 10_000, BITRATE * 3 / 2, 1)) {
            live.awaitChunks(1, 10_000);
            List<Future<TestLive.Watched>> viewers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                viewers.add(pool.submit(() -> TestLive.watch(live.config())));
                // joining one after another: each later one finds earlier viewers to fetch from
                live.awaitChunks(live.published.size() + 3, 10_000);
            }
            int chunks = live.publisher.ended().get(60, TimeUnit.SECONDS);
            List<TestLive.Watched> watched = new ArrayList<>();
            StringBuilder all = new StringBuilder("; every viewer:");
            for (Future<TestLive.Watched> v : viewers) {
                watched.add(v.get(60, TimeUnit.SECONDS));
                all.append("\n  ").append(watched.get(watched.size() - 1).stats().summary().lines()
                        .findFirst().orElse(""));
            }
            long fromViewers = 0;
            for (int i = 0; i < watched.size(); i++) {
                TestLive.Watched w = watched.get(i);
                Stats.Live f = w.stats().live();
                int start = live.startOf(w.output());
                assertTrue(start >= 0, "viewer " + i + ": output of " + w.output().length
                        + " bytes is not the stream from a chunk on: " + live.explain(w.output()) + all);
                assertEquals(chunks - start, f.chunks(), "viewer " + i + ": chunks written" + all);
                assertEquals(0, f.skipped(), "viewer " + i + " skipped chunks" + all);
                assertTrue(f.ended(), "viewer " + i + " was told the stream ended" + all);
                assertTrue(w.stats().complete());
                fromViewers += f.fromViewers();
            }
            long uploaded = live.server.uploadedBytes();
            long published = live.publishedBytes();
            assertTrue(uploaded < 3 * published, "publisher uploaded " + uploaded + " bytes for " + published
                    + " published: " + (double) uploaded / published + " copies (expected: far less than 6)");
            assertTrue(fromViewers > 0, "viewers relayed nothing to each other");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(60)
    void aLateViewerStartsNearTheLiveEdgeNotAtChunkZero() throws Exception {
        try (TestLive live = TestLive.start("late", BITRATE, 8_000, 0, 1)) {
            live.awaitChunks(30, 20_000); // about 5 s of stream before the viewer arrives
            TestLive.Watched w = TestLive.watch(live.config());
            int start = live.startOf(w.output());
            assertTrue(start > 0, "started at chunk " + start);
            long startPublishedMillis = live.published.get(start).publishMicros() / 1000;
            long behind = w.startMillis() - startPublishedMillis;
            assertTrue(behind <= LATENCY_MILLIS + 500, "first chunk played was published " + behind
                    + " ms before joining");
            assertTrue(live.published.get(start - 1).publishMicros() / 1000 < w.startMillis() - LATENCY_MILLIS + 500,
                    "a chunk within the latency was left out before the start");
            assertEquals(0, w.stats().live().skipped());
        }
    }
}
