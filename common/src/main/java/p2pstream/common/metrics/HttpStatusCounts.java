package p2pstream.common.metrics;

/**
 * HTTP responses counted by status class ({@code 1xx} to {@code 5xx}): a counter with a bounded label, told of
 * every response's status by an HTTP server ({@code HttpServer.open(..., counts::onResponse)}). Any thread.
 */
public final class HttpStatusCounts {
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final Counters counters;

    /** Registers the counter {@code name} (ending in _total), labelled {@code status}, in {@code metrics}. */
    public HttpStatusCounts(Metrics metrics, String name, String help) {
        this.counters = metrics.counters(name, help, "status", CLASSES);
    }

    /** A response with {@code status} (100..599) was sent. */
    public void onResponse(int status) {
        int i = status / 100 - 1;
        if (i >= 0 && i < CLASSES.length) {
            counters.get(i).inc();
        }
    }

    /** Responses of {@code statusClass} ("2xx"...) so far. */
    public long count(String statusClass) {
        return counters.get(statusClass).value();
    }
}
