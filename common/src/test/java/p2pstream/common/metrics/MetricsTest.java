package p2pstream.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The exposition text to the byte: HELP and TYPE lines, labels, escaping, histograms; and what is refused. */
class MetricsTest {

    @Test
    void aCounterAndAGaugeAreWrittenWithHelpAndTypeInTheOrderRegistered() {
        Metrics m = new Metrics();
        Counter lookups = m.counter("app_lookups_total", "LOOKUP requests answered.");
        AtomicLong sessions = new AtomicLong(3);
        m.gauge("app_sessions", "Sessions open now.", sessions::get);
        lookups.inc();
        lookups.add(41);
        assertEquals("""
                # HELP app_lookups_total LOOKUP requests answered.
                # TYPE app_lookups_total counter
                app_lookups_total 42
                # HELP app_sessions Sessions open now.
                # TYPE app_sessions gauge
                app_sessions 3
                """, m.text());
        sessions.set(1);
        assertTrue(m.text().contains("\napp_sessions 1\n"), "a gauge is read when written");
    }

    @Test
    void aLabelledCounterWritesEveryValueItWasGivenZeroOrNot() {
        Metrics m = new Metrics();
        Counters rejected = m.counters("app_rejected_total", "Requests rejected, by reason.", "reason",
                "not_held", "overloaded");
        rejected.get("overloaded").add(2);
        assertEquals("""
                # HELP app_rejected_total Requests rejected, by reason.
                # TYPE app_rejected_total counter
                app_rejected_total{reason="not_held"} 0
                app_rejected_total{reason="overloaded"} 2
                """, m.text());
        assertEquals(2, rejected.get(1).value());
    }

    @Test
    void countersAndGaugesReadFromSuppliersKeepTheMapsOrder() {
        Metrics m = new Metrics();
        AtomicLong bytes = new AtomicLong(1 << 20);
        m.counter("app_sent_bytes_total", "Bytes sent.", bytes::get);
        Map<String, LongSupplier> refusals = new LinkedHashMap<>();
        refusals.put("full", () -> 7);
        refusals.put("conflict", () -> 0);
        m.counters("app_refusals_total", "Refusals.", "reason", refusals);
        Map<String, DoubleSupplier> streams = new LinkedHashMap<>();
        streams.put("file", () -> 2);
        streams.put("live", () -> 0.5);
        m.gauges("app_streams", "Streams.", "kind", streams);
        assertEquals("""
                # HELP app_sent_bytes_total Bytes sent.
                # TYPE app_sent_bytes_total counter
                app_sent_bytes_total 1048576
                # HELP app_refusals_total Refusals.
                # TYPE app_refusals_total counter
                app_refusals_total{reason="full"} 7
                app_refusals_total{reason="conflict"} 0
                # HELP app_streams Streams.
                # TYPE app_streams gauge
                app_streams{kind="file"} 2
                app_streams{kind="live"} 0.5
                """, m.text());
    }

    @Test
    void aHistogramWritesCumulativeBucketsInfSumAndCount() {
        Metrics m = new Metrics();
        Histogram h = m.histogram("app_wait_seconds", "Time waited.", 0.005, 0.1, 1);
        h.observe(0.001);
        h.observe(0.005); // on a bound: counted in it
        h.observe(0.05);
        h.observe(2.5);
        assertEquals("""
                # HELP app_wait_seconds Time waited.
                # TYPE app_wait_seconds histogram
                app_wait_seconds_bucket{le="0.005"} 2
                app_wait_seconds_bucket{le="0.1"} 3
                app_wait_seconds_bucket{le="1"} 3
                app_wait_seconds_bucket{le="+Inf"} 4
                app_wait_seconds_sum 2.556
                app_wait_seconds_count 4
                """, m.text());
    }

    @Test
    void helpTextAndLabelValuesAreEscaped() {
        Metrics m = new Metrics();
        m.gauges("app_odd", "A \\ backslash\nand a newline; \"quotes\" stay.", "name",
                Map.of("say \"hi\"\\\n", () -> 1));
        assertEquals("""
                # HELP app_odd A \\\\ backslash\\nand a newline; "quotes" stay.
                # TYPE app_odd gauge
                app_odd{name="say \\"hi\\"\\\\\\n"} 1
                """, m.text());
    }

    @Test
    void numbersAreWrittenAsPrometheusParsesThem() {
        assertEquals("0", Exposition.number(0.0));
        assertEquals("-3", Exposition.number(-3.0));
        assertEquals("0.25", Exposition.number(0.25));
        assertEquals("0.0001", Exposition.number(1e-4), "no exponent where people write none");
        assertEquals("1.0E-7", Exposition.number(1e-7));
        assertEquals("+Inf", Exposition.number(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", Exposition.number(Double.NEGATIVE_INFINITY));
        assertEquals("NaN", Exposition.number(Double.NaN));
        assertEquals("1.0E20", Exposition.number(1e20), "beyond 2^53 a double is not a whole long");
    }

    @Test
    void badNamesLabelsAndDuplicatesAreRefusedSayingWhatIsExpected() {
        Metrics m = new Metrics();
        m.counter("app_requests_total", "Requests.");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.counter("app_requests", "Requests."));
        assertEquals("counter name: app_requests (expected: ending in _total)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.gauge("app_up_total", "Up.", () -> 1));
        assertThrows(IllegalArgumentException.class, () -> m.gauge("2app", "Digit first.", () -> 1));
        assertThrows(IllegalArgumentException.class, () -> m.gauge("app-up", "Dash.", () -> 1));
        assertThrows(IllegalArgumentException.class, () -> m.counter("app_requests_total", "Again."));
        assertThrows(IllegalArgumentException.class, () -> m.counters("app_x_total", "X.", "le", "a"));
        assertThrows(IllegalArgumentException.class, () -> m.counters("app_y_total", "Y.", "__reserved", "a"));
        assertThrows(IllegalArgumentException.class, () -> m.counters("app_z_total", "Z.", "reason", "a", "a"));
        assertThrows(IllegalArgumentException.class, () -> m.gauge("app_quiet", " ", () -> 1));
        m.histogram("app_wait_seconds", "Waits.", 1);
        assertThrows(IllegalArgumentException.class, () -> m.gauge("app_wait_seconds_count", "Clash.", () -> 1),
                "a histogram's _count is taken");
        assertThrows(IllegalArgumentException.class, () -> m.histogram("app_h_seconds", "Bad.", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> m.histogram("app_h_count", "Bad.", 1));
        Counters c = m.counters("app_by_total", "By reason.", "reason", "a", "b");
        e = assertThrows(IllegalArgumentException.class, () -> c.get("c"));
        assertEquals("label reason: c (expected: one of [a, b])", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.get("a").add(-1), "a counter never goes down");
    }

    @Test
    void statusCountsGoByClass() {
        Metrics m = new Metrics();
        HttpStatusCounts counts = new HttpStatusCounts(m, "app_http_requests_total", "HTTP responses by status.");
        counts.onResponse(200);
        counts.onResponse(206);
        counts.onResponse(404);
        counts.onResponse(503);
        counts.onResponse(999); // not a status: not counted
        assertEquals("""
                # HELP app_http_requests_total HTTP responses by status.
                # TYPE app_http_requests_total counter
                app_http_requests_total{status="1xx"} 0
                app_http_requests_total{status="2xx"} 2
                app_http_requests_total{status="3xx"} 0
                app_http_requests_total{status="4xx"} 1
                app_http_requests_total{status="5xx"} 1
                """, m.text());
    }

    @Test
    void twoRegistriesInOneJvmShareNothing() {
        Metrics a = new Metrics();
        Metrics b = new Metrics();
        a.counter("app_x_total", "X.").inc();
        b.counter("app_x_total", "X.");
        assertTrue(a.text().contains("app_x_total 1\n"));
        assertTrue(b.text().contains("app_x_total 0\n"));
    }

    @Test
    @Timeout(30)
    void updatesFromManyThreadsAreAllCounted() throws Exception {
        Metrics m = new Metrics();
        Counter c = m.counter("app_n_total", "N.");
        Histogram h = m.histogram("app_v_seconds", "V.", 0.5);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.execute(() -> {
                for (int i = 0; i < 100_000; i++) {
                    c.inc();
                    h.observe(i % 2 == 0 ? 0.25 : 1.0);
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        assertEquals(400_000, c.value());
        String text = m.text();
        assertTrue(text.contains("app_v_seconds_bucket{le=\"0.5\"} 200000\n"), text);
        assertTrue(text.contains("app_v_seconds_bucket{le=\"+Inf\"} 400000\n"), text);
        assertTrue(text.contains("app_v_seconds_sum 250000\n"), text);
        assertTrue(text.contains("app_v_seconds_count 400000\n"), text);
    }

    @Test
    void aRecentRateSpansItsOldestAndNewestSamples() {
        RecentRate rate = new RecentRate(3);
        assertEquals(0, rate.perSecond());
        rate.sample(0, 0);
        assertEquals(0, rate.perSecond(), "one sample is no rate");
        rate.sample(1_000_000_000L, 10);
        assertEquals(10, rate.perSecond(), 1e-9);
        rate.sample(2_000_000_000L, 30);
        assertEquals(15, rate.perSecond(), 1e-9);
        rate.sample(3_000_000_000L, 30); // the first sample drops out: 30 - 10 over 2 s
        assertEquals(10, rate.perSecond(), 1e-9);
    }
}
