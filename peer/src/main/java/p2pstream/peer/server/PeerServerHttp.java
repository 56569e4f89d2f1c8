package p2pstream.peer.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.http.HtmlPage;
import p2pstream.common.http.HttpExchange;
import p2pstream.common.http.HttpHeaders;
import p2pstream.common.http.HttpLimits;
import p2pstream.common.http.HttpServer;
import p2pstream.common.http.Router;
import p2pstream.common.metrics.Metrics;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.EventLoopGroup;

/**
 * {@code peer-server --http}: its page ({@code /}), {@code /api/status} and {@code /metrics}, served on the
 * server's own loops from the moment they run, so the hashing at start can be watched; every figure it reads is
 * thread-safe, so each request is answered at once on its connection's loop. {@link #open}, {@link #onStarted} and
 * {@link #close} from any thread.
 */
final class PeerServerHttp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerServerHttp.class);
    /** A page has a few viewers and a scraper or two. */
    static final HttpLimits LIMITS = HttpLimits.DEFAULTS.withConnections(64, 32);

    private final PeerServerMetrics metrics;
    private final HttpServer server;
    /** Null while the files are hashed at start. */
    private volatile PeerServer peerServer;

    private PeerServerHttp(EventLoopGroup group, InetSocketAddress bind, PeerServerMetrics metrics)
            throws IOException {
        this.metrics = metrics;
        Router router = new Router()
                .exact("/", ex -> ex.respond(200, HtmlPage.headers(), PeerServerPage.html(status(ex))))
                .exact("/api/status", ex -> ex.respond(200, new HttpHeaders().add("Content-Type", "application/json")
                        .add("Cache-Control", "no-store"), PeerServerJson.json(status(ex))))
                .exact("/metrics", ex -> ex.respond(200, new HttpHeaders().add("Content-Type", Metrics.CONTENT_TYPE)
                        .add("Cache-Control", "no-store"), metrics.text()));
        this.server = HttpServer.open(group, bind, router, LIMITS, metrics.http::onResponse);
    }

    /** Serves the page on {@code bind} (port 0: a free one), on {@code group}'s loops. */
    static PeerServerHttp open(EventLoopGroup group, InetSocketAddress bind, PeerServerMetrics metrics)
            throws IOException {
        PeerServerHttp http = new PeerServerHttp(group, bind, metrics);
        log.info("http listening on {}", url(http.address()));
        return http;
    }

    /** {@code http://HOST:PORT/}. */
    static String url(InetSocketAddress a) {
        return "http://" + Acceptor.hostPort(a) + "/";
    }

    InetSocketAddress address() {
        return server.localAddress();
    }

    /** The files are hashed and {@code s} serves them: the page shows it from now on. */
    void onStarted(PeerServer s) {
        peerServer = s;
    }

    @Override
    public void close() {
        server.close();
    }

    private PeerServerStatus status(HttpExchange ex) {
        return PeerServerStatus.take(peerServer, metrics,
                Objects.requireNonNullElse(ex.request().queryParameter("q"), ""),
                server.localAddress().getAddress().isLoopbackAddress());
    }
}
