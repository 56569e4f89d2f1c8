package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import p2pstream.common.metrics.Scrape;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Withdraw;

/** {@code /metrics} of a real tracker, scraped over loopback while real sessions announce, look up and leave. */
class TrackerMetricsTest extends TrackerHttpFixture {

    @Test
    void metricsAreServedAsPrometheusTextVersion004() throws Exception {
        HttpResponse<String> r = Scrape.get(base + "metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.body().contains("# TYPE p2pstream_tracker_lookups_total counter\n"), r.body());
        assertEquals(0, Scrape.value(r.body(), "p2pstream_tracker_streams"));
        assertEquals(2_000_000, Scrape.value(r.body(), "p2pstream_tracker_entry_limit"));
    }

    @Test
    void figuresMoveAsSessionsAnnounceLookUpAndLeave() throws Exception {
        try (RawClient seed = session(false, 4001); RawClient viewer = session(true, 4002)) {
            announce(seed, file(id(1), "movie.mp4", true));
            viewer.send(Lookup.byName("movie.mp4", 10));
            assertEquals(1, viewer.expect(MessageType.PEERS, Peers::decode).peers().size());
            announce(viewer, file(id(1), "movie.mp4", false));
            String text = metrics();
            assertEquals(2, Scrape.value(text, "p2pstream_tracker_sessions"));
            assertEquals(2, Scrape.value(text, "p2pstream_tracker_sessions_opened_total"));
            assertEquals(2, Scrape.value(text, "p2pstream_tracker_announcing_sessions"));
            assertEquals(2, Scrape.value(text, "p2pstream_tracker_connections"));
            assertEquals(1, Scrape.value(text, "p2pstream_tracker_streams"));
            assertEquals(2, Scrape.value(text, "p2pstream_tracker_entries"));
            assertEquals(2, Scrape.value(text, "p2pstream_tracker_announces_total"));
            assertEquals(2, Scrape.value(text, "p2pstream_tracker_lists_total"), "one LIST after each announce");
            assertEquals(1, Scrape.value(text, "p2pstream_tracker_lookups_total"));
            assertEquals(Registry.streamBytes("movie.mp4") + 2 * Registry.ENTRY_BYTES,
                    Scrape.value(text, "p2pstream_tracker_registry_bytes"));
            assertTrue(Scrape.value(text, "p2pstream_tracker_registry_batch_seconds_count") >= 3,
                    "a batch per announce, list and lookup at least: " + text);
            assertEquals(Scrape.value(text, "p2pstream_tracker_registry_batch_seconds_count"),
                    Scrape.value(text, "p2pstream_tracker_registry_batch_seconds_bucket{le=\"+Inf\"}"));

            viewer.send(new Withdraw(id(1)));
            await("the withdraw counted and applied", () -> metricQuietly("p2pstream_tracker_entries") == 1);
            assertEquals(1, metric("p2pstream_tracker_withdraws_total"));
        }
        await("both sessions gone with their entries", () -> metricQuietly("p2pstream_tracker_sessions") == 0
                && metricQuietly("p2pstream_tracker_entries") == 0 && metricQuietly("p2pstream_tracker_streams") == 0);
        assertEquals(2, metric("p2pstream_tracker_sessions_opened_total"), "a counter never goes down");
    }

    @Test
    void aConflictingAnnouncementIsCountedAsARefusalByReason() throws Exception {
        try (RawClient a = session(false, 4001); RawClient b = session(false, 4002)) {
            announce(a, file(id(1), "movie.mp4", true));
            announce(b, file(id(1), "other-name.mp4", true));
            String text = metrics();
            assertEquals(1, Scrape.value(text, "p2pstream_tracker_refusals_total{reason=\"conflict\"}"));
            assertEquals(0, Scrape.value(text, "p2pstream_tracker_refusals_total{reason=\"max_entries\"}"));
            assertEquals(1, Scrape.value(text, "p2pstream_tracker_entries"));
        }
    }

    @Test
    void httpRequestsAreCountedByStatusClass() throws Exception {
        assertEquals(404, Scrape.get(base + "nowhere").statusCode());
        Scrape.body(base + "api/status");
        String text = metrics(); // its own response is counted once its head is sent, after this text is written
        assertEquals(1, Scrape.value(text, "p2pstream_tracker_http_requests_total{status=\"2xx\"}"));
        assertEquals(1, Scrape.value(text, "p2pstream_tracker_http_requests_total{status=\"4xx\"}"));
        assertEquals(2, metric("p2pstream_tracker_http_requests_total{status=\"2xx\"}"));
    }

    private double metricQuietly(String series) {
        try {
            return metric(series);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
