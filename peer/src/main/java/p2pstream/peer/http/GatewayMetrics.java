package p2pstream.peer.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import p2pstream.common.metrics.Counter;
import p2pstream.common.metrics.Counters;
import p2pstream.common.metrics.Histogram;
import p2pstream.common.metrics.HttpStatusCounts;
import p2pstream.common.metrics.Metrics;
import p2pstream.peer.client.file.FileStream;
import p2pstream.peer.client.live.LiveStream;
import p2pstream.peer.swarm.Traffic;
import p2pstream.peer.viewer.Viewer;

/**
 * A gateway's metrics: what its viewer exchanged with peers (bytes, chunks verified and rejected, links and serving
 * sessions), what it sent to players, HTTP responses by status, streams open and evicted, the cache, and
 * histograms of the time to a response's first byte and of live latency. No label names a peer or a stream.
 * The figures of the viewer and its streams are read when {@link #text} runs, which is on the viewer's loop (the
 * gateway's HTTP server runs there); counters and histograms may be told from any thread.
 */
final class GatewayMetrics {
    private static final String P = "p2pstream_gateway_";
    /** Seconds from a request to its first byte: a cached chunk is milliseconds, a cold stream a second or more. */
    private static final double[] STARTUP_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    /** Seconds from publishing to the gateway: the default target is about 2 s behind the edge. */
    private static final double[] LATENCY_BUCKETS = {0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4, 6, 10, 30};

    private final Metrics metrics = new Metrics();
    final HttpStatusCounts http;
    private final Counter sent;
    private final Counter stalls;
    private final Counters opened;
    private final Counter evicted;
    private final Histogram startup;
    private final Histogram liveLatency;
    private final Traffic traffic;
    private final long cacheLimitBytes;

    GatewayMetrics(Viewer viewer, long cacheLimitBytes) {
        this.traffic = viewer.catalog().traffic();
        this.cacheLimitBytes = cacheLimitBytes;
        metrics.counter(P + "received_bytes_total", "Verified chunk bytes received from peers.",
                traffic::receivedBytes);
        metrics.counter(P + "sent_bytes_total", "Chunk bytes sent to the peers this gateway serves.",
                traffic::uploadedBytes);
        sent = metrics.counter(P + "http_sent_bytes_total", "Stream bytes queued to HTTP clients (players).");
        metrics.counter(P + "chunks_verified_total", "Chunks received that verified (SHA-256 or signature) and were"
                + " kept.", traffic::verifiedChunks);
        metrics.counter(P + "chunks_rejected_total", "Chunks received that failed their check (a bad SHA-256 or"
                + " signature, a replay); their senders are dropped.", traffic::rejectedChunks);
        http = new HttpStatusCounts(metrics, P + "http_requests_total", "HTTP requests answered, by status class.");
        metrics.counter(P + "peer_sessions_total", "Links to peers that passed their handshake (fetching).",
                traffic::linksReady);
        metrics.counter(P + "served_sessions_total", "Sessions serving other peers opened.", traffic::sessionsServed);
        opened = metrics.counters(P + "streams_opened_total", "Streams opened from the swarm, by kind.", "kind",
                "file", "live");
        evicted = metrics.counter(P + "streams_evicted_total", "File streams closed and deleted to keep the cache"
                + " within its size.");
        stalls = metrics.counter(P + "stalls_total", "Times a response to a player had to wait for a chunk not"
                + " verified yet.");
        startup = metrics.histogram(P + "first_byte_seconds", "Time from a request for a stream (/stream, an HLS"
                + " playlist) to its first byte of the stream.", STARTUP_BUCKETS);
        liveLatency = metrics.histogram(P + "live_latency_seconds", "Time from a live chunk's publishing to its"
                + " handing to the gateway's readers.", LATENCY_BUCKETS);
    }

    /** Registers the gauges read from the open streams and the HTTP server (once, before the first scrape). */
    void watch(OpenStreams streams, IntSupplier connections) {
        metrics.gauge(P + "peers", "Peers the open streams fetch from now (links past their handshake).",
                () -> streams.sum(OpenStreams::readyPeers));
        metrics.gauge(P + "served_peers", "Peers being served now.", traffic::servingCount);
        Map<String, DoubleSupplier> kinds = new LinkedHashMap<>();
        kinds.put("file", () -> streams.sum(s -> s instanceof FileStream ? 1 : 0));
        kinds.put("live", () -> streams.sum(s -> s instanceof LiveStream ? 1 : 0));
        metrics.gauges(P + "streams_open", "Streams open now, by kind.", "kind", kinds);
        metrics.gauge(P + "readers", "HTTP responses reading a stream now.", streams::readers);
        metrics.gauge(P + "http_connections", "HTTP connections open now.", connections::getAsInt);
        metrics.gauge(P + "cache_bytes", "Verified bytes of the open file streams held in the cache.",
                streams::heldBytes);
        metrics.gauge(P + "cache_reserved_bytes", "Sizes of the open file streams: what eviction weighs against the"
                + " limit.", streams::cachedBytes);
        metrics.gauge(P + "cache_limit_bytes", "The cache's size (--cache-size).", () -> cacheLimitBytes);
    }

    void onStreamOpened(boolean live) {
        opened.get(live ? 1 : 0).inc();
    }

    void onEvicted() {
        evicted.inc();
    }

    void onSent(long bytes) {
        sent.add(bytes);
    }

    void onStall() {
        stalls.inc();
    }

    void onFirstByte(double seconds) {
        startup.observe(seconds);
    }

    void onLiveLatency(double seconds) {
        liveLatency.observe(seconds);
    }

    long httpSentBytes() {
        return sent.value();
    }

    long stalls() {
        return stalls.value();
    }

    /** The exposition text; on the viewer's loop. */
    String text() {
        return metrics.text();
    }
}
