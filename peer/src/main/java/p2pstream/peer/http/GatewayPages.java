package p2pstream.peer.http;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import p2pstream.common.http.HtmlPage;
import p2pstream.common.http.HttpExchange;
import p2pstream.common.http.HttpHeaders;
import p2pstream.common.http.Router;
import p2pstream.common.metrics.Metrics;
import p2pstream.common.net.Acceptor;
import p2pstream.common.wire.Streams;
import p2pstream.peer.client.file.FileStream;
import p2pstream.peer.client.live.LiveStream;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.Traffic;
import p2pstream.peer.viewer.Viewer;

/**
 * The gateway's own pages beside its streams: {@code /} (its figures and the streams the tracker knows),
 * {@code /watch/NAME}, {@code /api/streams}, {@code /api/streams/NAME}, {@code /api/status} and {@code /metrics}.
 * Everything is read on the viewer's loop, where the gateway's HTTP server runs. Routes are added before the server
 * opens; the handlers then run on the loop thread.
 */
final class GatewayPages {
    /** The streams a page lists at most: a LIST answer holds up to 1,000, a page stays a few hundred KiB. */
    static final int MAX_SHOWN = 500;
    /** A filter longer than a stream name can be matches nothing: it is cut there. */
    static final int MAX_FILTER_CHARS = 256;

    private final Viewer viewer;
    private final OpenStreams streams;
    private final GatewayMetrics metrics;
    private final Path cacheDir;
    private final long cacheBytes;
    private final Supplier<InetSocketAddress> address;
    private final IntSupplier connections;

    GatewayPages(Viewer viewer, OpenStreams streams, GatewayMetrics metrics, Path cacheDir, long cacheBytes,
                 Supplier<InetSocketAddress> address, IntSupplier connections) {
        this.viewer = viewer;
        this.streams = streams;
        this.metrics = metrics;
        this.cacheDir = cacheDir;
        this.cacheBytes = cacheBytes;
        this.address = address;
        this.connections = connections;
    }

    /** Adds the pages' routes to {@code router}. */
    Router route(Router router) {
        HttpHeaders metricsHeaders = new HttpHeaders().add("Content-Type", Metrics.CONTENT_TYPE)
                .add("Cache-Control", "no-store");
        return router.exact("/", ex -> list(ex, false))
                .exact("/api/streams", ex -> list(ex, true))
                .prefix(StreamApi.PREFIX, new StreamApi(streams, viewer))
                .prefix(WatchRoute.PREFIX, new WatchRoute(streams, address))
                .exact("/api/status", ex -> StreamApi.respond(ex, 200, GatewayJson.status(status())))
                .exact("/metrics", ex -> ex.respond(200, metricsHeaders, metrics.text()));
    }

    /** The streams the tracker lists for the filter {@code ?q=}, with what is here of each: a page or JSON. */
    private void list(HttpExchange ex, boolean json) {
        String q = Objects.requireNonNullElse(ex.request().queryParameter("q"), "");
        String filter = q.length() > MAX_FILTER_CHARS ? q.substring(0, MAX_FILTER_CHARS) : q;
        viewer.list(filter, MAX_SHOWN).whenComplete((listed, error) -> ex.loop().execute(() -> {
            if (!ex.isOpen()) {
                return;
            }
            if (error != null) {
                ex.respond(502, "text/plain; charset=utf-8", "tracker: " + StreamFailure.rootMessage(error) + "\n");
                return;
            }
            List<StreamState> rows = new ArrayList<>();
            for (Streams.Entry e : listed.streams()) {
                OpenStream open = streams.find(e.contentId().hex());
                rows.add(StreamState.of(e, open != null && open.isOpen() ? open : null));
            }
            boolean limited = rows.size() >= MAX_SHOWN;
            if (json) {
                StreamApi.respond(ex, 200, GatewayJson.list(rows, filter, limited));
            } else {
                ex.respond(200, HtmlPage.headers(), ListPage.html(totals(), rows, filter, limited));
            }
        }));
    }

    private ListPage.Totals totals() {
        Traffic t = viewer.catalog().traffic();
        return new ListPage.Totals(Acceptor.hostPort(address.get()),
                (int) streams.sum(s -> s instanceof FileStream ? 1 : 0),
                (int) streams.sum(s -> s instanceof LiveStream ? 1 : 0), streams.readers(), t.receivedBytes(),
                metrics.httpSentBytes(), (int) streams.sum(OpenStreams::readyPeers), streams.heldBytes(),
                streams.cachedBytes(), cacheBytes, t.peerBytes());
    }

    private Map<String, Object> status() {
        Traffic t = viewer.catalog().traffic();
        Map<String, Object> m = new LinkedHashMap<>();
        InetSocketAddress a = address.get();
        m.put("address", Acceptor.hostPort(a));
        m.put("loopbackOnly", a.getAddress().isLoopbackAddress());
        m.put("peerId", viewer.catalog().peerId().toString());
        m.put("listenPort", viewer.listenPort());
        m.put("cacheDir", cacheDir.toString());
        m.put("cacheLimitBytes", cacheBytes);
        m.put("cacheBytes", streams.heldBytes());
        m.put("cacheReservedBytes", streams.cachedBytes());
        m.put("fileStreams", streams.sum(s -> s instanceof FileStream ? 1 : 0));
        m.put("liveStreams", streams.sum(s -> s instanceof LiveStream ? 1 : 0));
        m.put("readers", streams.readers());
        m.put("httpConnections", connections.getAsInt());
        m.put("peers", streams.sum(OpenStreams::readyPeers));
        m.put("servedPeers", t.servingCount());
        m.put("receivedBytes", t.receivedBytes());
        m.put("sentBytes", t.uploadedBytes());
        m.put("httpSentBytes", metrics.httpSentBytes());
        m.put("chunksVerified", t.verifiedChunks());
        m.put("chunksRejected", t.rejectedChunks());
        m.put("stalls", metrics.stalls());
        return m;
    }
}
