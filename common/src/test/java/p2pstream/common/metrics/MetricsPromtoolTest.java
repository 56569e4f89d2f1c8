package p2pstream.common.metrics;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.tools.Promtool;

/** Prometheus's own checker takes every kind of family the registry writes, odd label values and help included. */
class MetricsPromtoolTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void promtoolAcceptsEveryKindOfFamily() throws Exception {
        Promtool.ensure(dir);
        Metrics m = new Metrics();
        m.counter("app_requests_total", "Requests \\ with a backslash\nand a newline in their help.").add(3);
        m.counters("app_rejected_total", "Rejected, by reason.", "reason", "not_held", "say \"hi\"\\\n").get(1).inc();
        m.gauge("app_ratio", "A fraction.", () -> 0.125);
        m.gauges("app_streams", "Streams, by kind.", "kind", Map.of("file", () -> 2, "live", () -> 0));
        Histogram h = m.histogram("app_wait_seconds", "Waits.", 0.0001, 0.001, 0.01, 0.1, 1, 10);
        h.observe(0.00005);
        h.observe(0.2);
        h.observe(20);
        new HttpStatusCounts(m, "app_http_requests_total", "HTTP requests by status class.").onResponse(200);
        Promtool.assertAccepts(dir, m.text());
    }
}
