package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Trial;

/**
 * How a live stream ends for its viewers: cleanly when the publisher ends it, with a clear failure when it vanishes.
 */
class LivePublisherGoneTest {

    @Test
    @Timeout(60)
    void theEndOfInputEndsEveryViewerCleanly() throws Exception {
        try (TestLive live = TestLive.start("ending", 200_000, 3_000, 0, 1)) {
            live.awaitChunks(2, 10_000);
            CompletableFuture<TestLive.Watched> a = CompletableFuture.supplyAsync(() -> watch(live));
            CompletableFuture<TestLive.Watched> b = CompletableFuture.supplyAsync(() -> watch(live));
            int chunks = live.publisher.ended().get(30, TimeUnit.SECONDS);
            for (TestLive.Watched w : new TestLive.Watched[] {a.get(30, TimeUnit.SECONDS),
                    b.get(30, TimeUnit.SECONDS)}) {
                assertTrue(w.stats().live().ended(), w.stats().summary());
                assertTrue(w.stats().complete());
                assertTrue(live.startOf(w.output()) >= 0, live.explain(w.output()));
                assertEquals(chunks - live.startOf(w.output()), w.stats().live().chunks());
            }
        }
    }

    @HostileCase(value = "Live publisher killed mid-stream (closed without its signed end)", expect = "the viewer ends"
            + " after --no-peer-timeout (2 s) with exit status 4 and \"no new chunk for 2000 ms\", its figures written,"
            + " the chunks it had written kept", section = HostileCase.FAULTS)
    @Timeout(60)
    void aPublisherThatVanishesEndsItsViewersWithAClearError(Trial trial) throws Exception {
        try (TestLive live = TestLive.start("vanishing", 200_000, 30_000, 0, 1)) {
            live.awaitChunks(2, 10_000);
            CompletableFuture<TestLive.Watched> viewer = CompletableFuture.supplyAsync(
                    () -> watch(live, live.config().withNoPeerTimeoutMillis(2_000)));
            live.awaitChunks(live.published.size() + 8, 10_000);
            live.server.close(); // no signed end: as if the process were killed
            ExecutionException e = assertThrows(ExecutionException.class, () -> viewer.get(30, TimeUnit.SECONDS));
            WatchException d = (WatchException) e.getCause().getCause();
            assertEquals(WatchException.UNREACHABLE, d.exitStatus());
            assertTrue(d.getMessage().contains("no new chunk for 2000 ms"), d.getMessage());
            assertTrue(d.stats() != null && d.stats().live() != null && !d.stats().live().ended(),
                    "figures: " + d.stats());
            assertTrue(d.stats().bytes() > 0 && d.stats().live().chunks() > 0,
                    "the viewer wrote what it had before the publisher vanished: " + d.stats().summary());
            trial.record("chunks written before the publisher vanished", d.stats().live().chunks());
            trial.record("viewers ended with exit status 4", 1);
        }
    }

    private static TestLive.Watched watch(TestLive live) {
        return watch(live, live.config());
    }

    private static TestLive.Watched watch(TestLive live, Watch.Config config) {
        try {
            return TestLive.watch(config);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
