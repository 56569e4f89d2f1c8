package p2pstream.peer.server;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import p2pstream.common.metrics.Counter;
import p2pstream.common.metrics.Counters;
import p2pstream.common.metrics.HttpStatusCounts;
import p2pstream.common.metrics.Metrics;
import p2pstream.common.wire.Reject;

/**
 * A peer-server's metrics and figures: what it sent (bytes, chunks; per stream too, for its page), requests
 * rejected by reason, sessions serving now, how far hashing at start has got, its streams, live publishing and HTTP
 * responses. It exists before the server does (the pages show the hashing); the server's own figures are read
 * once it is there. Thread-safe: the serving sessions update it on every loop.
 */
final class PeerServerMetrics {
    private final Metrics metrics = new Metrics();
    private final HashProgress hashing = new HashProgress();
    private final Map<Holding, StreamFigures> streams = new ConcurrentHashMap<>();
    private final AtomicInteger sessions = new AtomicInteger();
    private final Counter sessionsOpened;
    private final Counter sentBytes;
    private final Counter chunks;
    private final Counters rejected;
    final HttpStatusCounts http;
    /** Null until the server serves (after hashing). */
    private volatile PeerServer server;

    PeerServerMetrics() {
        String p = "p2pstream_peer_server_";
        metrics.gauge(p + "ready", "1 once the server serves, 0 while it hashes its files at start.",
                () -> server == null ? 0 : 1);
        metrics.gauge(p + "startup_files", "Shared files found at start.", hashing::files);
        metrics.gauge(p + "startup_hashed_files", "Of those, hashed (or read from the manifest cache) so far.",
                hashing::filesDone);
        metrics.gauge(p + "startup_bytes", "Bytes of the shared files found at start.", hashing::bytes);
        metrics.gauge(p + "startup_hashed_bytes", "Of those, hashed (or read from the manifest cache) so far.",
                hashing::bytesDone);
        Map<String, DoubleSupplier> kinds = new LinkedHashMap<>();
        kinds.put("file", () -> server == null ? 0 : server.files().size());
        kinds.put("live", () -> server == null || server.live() == null ? 0 : 1);
        metrics.gauges(p + "streams", "Streams shared: whole files, or a live stream published.", "kind", kinds);
        metrics.gauge(p + "sessions", "Peers being served now (sessions past HELLO).", sessions::get);
        sessionsOpened = metrics.counter(p + "sessions_opened_total", "Serving sessions opened (HELLO accepted).");
        metrics.gauge(p + "connections", "TCP connections open, before HELLO included.",
                () -> server == null ? 0 : server.connectionCount());
        sentBytes = metrics.counter(p + "sent_bytes_total", "Bytes of chunk frames queued to peers.");
        chunks = metrics.counter(p + "chunks_served_total", "Chunks queued to peers (REQUESTs served).");
        String[] reasons = new String[Reject.Reason.values().length];
        for (Reject.Reason r : Reject.Reason.values()) {
            reasons[r.ordinal()] = label(r);
        }
        rejected = metrics.counters(p + "requests_rejected_total", "REQUESTs answered with REJECT, by reason: the"
                + " chunk is not held, the session's queue or every open file is busy, the file cannot be read.",
                "reason", reasons);
        metrics.gauge(p + "open_files", "Shared files open now (at most --open-files).",
                () -> server == null ? 0 : server.openFileCounts()[0]);
        metrics.counter(p + "live_published_chunks_total", "Chunks of the live stream published so far.",
                () -> server == null || server.live() == null ? 0 : server.live().window().newest() + 1);
        metrics.gauge(p + "live_viewers", "Peers told of the live stream's new chunks now.",
                () -> server == null || server.live() == null ? 0 : server.live().subscriberCount());
        http = new HttpStatusCounts(metrics, p + "http_requests_total", "HTTP requests answered, by status class.");
    }

    /** How metrics and pages name {@code reason}: "not_held", "overloaded", "unavailable". */
    static String label(Reject.Reason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    HashProgress hashing() {
        return hashing;
    }

    /** The server serves from now on: its figures are read. */
    void onStarted(PeerServer s) {
        this.server = s;
    }

    /** From now on {@code stream}'s serving is counted on its own as well. */
    void track(Holding stream) {
        streams.put(stream, new StreamFigures());
    }

    /** {@code stream} is no longer shared. */
    void forget(Holding stream) {
        streams.remove(stream);
    }

    /** What was served of {@code stream} while it was shared; null when it is not. */
    StreamFigures figures(Holding stream) {
        return streams.get(stream);
    }

    void onServing(Holding stream) {
        sessions.incrementAndGet();
        sessionsOpened.inc();
        StreamFigures f = streams.get(stream);
        if (f != null) {
            f.onServing();
        }
    }

    void onServingEnded(Holding stream) {
        sessions.decrementAndGet();
        StreamFigures f = streams.get(stream);
        if (f != null) {
            f.onServingEnded();
        }
    }

    void onChunkSent(Holding stream, long bytes) {
        sentBytes.add(bytes);
        chunks.inc();
        StreamFigures f = streams.get(stream);
        if (f != null) {
            f.onChunkSent(bytes);
        }
    }

    void onRejected(Reject.Reason reason) {
        rejected.get(reason.ordinal()).inc();
    }

    int sessions() {
        return sessions.get();
    }

    long sentBytes() {
        return sentBytes.value();
    }

    long chunks() {
        return chunks.value();
    }

    long rejected(Reject.Reason reason) {
        return rejected.get(reason.ordinal()).value();
    }

    /** The exposition text. Any thread. */
    String text() {
        return metrics.text();
    }
}
