package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9: a live viewer's chunk counts add up, as its {@code --stats-json} says them. The demo printed "chunks 65"
 * beside "44 / 28" received from publisher / viewers: the difference, chunks fetched while finding where to join
 * that turned out older than the start, was counted nowhere.
 */
class LiveCountsTest {
    private static final long BITRATE = 400_000; // bytes per second: about 6 chunks a second

    private static int field(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (-?\\d+)").matcher(json);
        assertTrue(m.find(), key + " missing: " + json);
        return Integer.parseInt(m.group(1));
    }

    @Test
    @Timeout(120)
    void receivedIsWrittenPlusFetchedBeforeTheStartPlusSkippedAndTheStartPlusWrittenIsPublished() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TestLive live = TestLive.start("counts", BITRATE, 9_000, 0, 1)) {
            List<Future<TestLive.Watched>> viewers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                // the first joins after 3 s of stream, past the 2 s latency: it fetches back beyond its start
                live.awaitChunks(18 + 8 * i, 20_000);
                viewers.add(pool.submit(() -> TestLive.watch(live.config())));
            }
            int published = live.publisher.ended().get(60, TimeUnit.SECONDS);
            for (int i = 0; i < viewers.size(); i++) {
                TestLive.Watched w = viewers.get(i).get(60, TimeUnit.SECONDS);
                String json = w.stats().toJson();
                int first = field(json, "firstChunk");
                int written = field(json, "chunks");
                int skipped = field(json, "skipped");
                assertEquals(live.startOf(w.output()), first, "viewer " + i + ": the first chunk written: " + json);
                assertEquals(published, first + written + skipped,
                        "viewer " + i + ": start + written + skipped: " + json);
                int received = field(json, "chunksFromPublisher") + field(json, "chunksFromViewers");
                assertEquals(received, written + field(json, "chunksBeforeFirst") + field(json, "skippedReceived"),
                        "viewer " + i + ": received = written + fetched before the start + skipped yet received: "
                        + json);
                if (i == 0) {
                    assertTrue(field(json, "chunksBeforeFirst") > 0,
                            "looking back from the edge fetches past the start: " + json);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
