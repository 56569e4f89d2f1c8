package p2pstream.peer.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.http.HttpLimits;
import p2pstream.common.http.HttpServer;
import p2pstream.common.http.Router;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.viewer.Viewer;

/**
 * A viewer that serves every stream the tracker knows to HTTP clients, on demand: players and browsers ask for
 * {@code /stream/NAME}, the gateway opens the stream from the swarm (re-serving it to peers like any viewer) and
 * answers each request as a reader of it. The HTTP server runs on the viewer's own loop, beside its streams.
 * {@link #start} and {@link #close} from any thread.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    /** The cache's size when none is given. */
    public static final long DEFAULT_CACHE_BYTES = 4L << 30;

    /**
     * A gateway's settings.
     *
     * @param http       where to listen for HTTP (a loopback address keeps the gateway to this machine)
     * @param streams    how each stream is fetched (peers, window, timeouts); its name is ignored
     * @param cacheDir   where streams are kept, under their content ids (resumed after a restart); null for a
     *                   temporary directory deleted at close
     * @param cacheBytes streams no reader uses are evicted beyond this many bytes
     */
    public record Config(Viewer.Config viewer, InetSocketAddress http, StreamRequest streams, Path cacheDir,
                         long cacheBytes) {
    }

    private final Viewer viewer;
    private final OpenStreams streams;
    private final AtomicReference<HttpServer> server;
    private final Path temporaryCache;

    private Gateway(Viewer viewer, OpenStreams streams, AtomicReference<HttpServer> server, Path temporaryCache) {
        this.viewer = viewer;
        this.streams = streams;
        this.server = server;
        this.temporaryCache = temporaryCache;
    }

    /** Starts the viewer and the HTTP server. Throws when either cannot listen. */
    public static Gateway start(Config config) throws StreamFailure, IOException {
        Path cache = config.cacheDir() != null ? Files.createDirectories(config.cacheDir())
                : Files.createTempDirectory("p2pstream-cache-");
        Viewer viewer = new Viewer(config.viewer());
        try {
            GatewayMetrics metrics = new GatewayMetrics(viewer, config.cacheBytes());
            OpenStreams streams = new OpenStreams(viewer, config.streams(), cache, config.cacheBytes(), metrics);
            // the pages name the server's address and count its connections: known once it is open, before any
            // request is read
            AtomicReference<HttpServer> server = new AtomicReference<>();
            metrics.watch(streams, () -> server.get().connectionCount());
            GatewayPages pages = new GatewayPages(viewer, streams, metrics, cache, config.cacheBytes(),
                    () -> server.get().localAddress(), () -> server.get().connectionCount());
            Router router = pages.route(new Router().prefix(StreamRoute.PREFIX, new StreamRoute(streams))
                    .prefix(HlsRoute.PREFIX, new HlsRoute(streams)));
            server.set(HttpServer.open(viewer.group(), config.http(), router, HttpLimits.DEFAULTS,
                    metrics.http::onResponse));
            log.info("http gateway on {}, cache {} ({} bytes at most)", server.get().localAddress(), cache,
                    config.cacheBytes());
            return new Gateway(viewer, streams, server, config.cacheDir() == null ? cache : null);
        } catch (IOException | RuntimeException e) {
            viewer.close();
            throw e;
        }
    }

    /** Where the HTTP server listens (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.get().localAddress();
    }

    public Viewer viewer() {
        return viewer;
    }

    /** Opens {@code stream} now, before any request asks for it (the command's STREAM argument). Any thread. */
    public CompletableFuture<Void> open(String stream) {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        viewer.loop().execute(() -> streams.open(stream).stream.whenComplete((s, e) -> {
            if (e != null) {
                opened.completeExceptionally(e);
            } else {
                opened.complete(null);
            }
        }));
        return opened;
    }

    @Override
    public void close() {
        server.get().close();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        viewer.loop().execute(() -> {
            streams.closeAll();
            closed.complete(null);
        });
        try {
            closed.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("closing the gateway's streams: {}", e.toString());
        }
        viewer.close();
        if (temporaryCache != null) {
            deleteTree(temporaryCache);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("deleting the temporary cache {}: {}", dir, e.toString());
        }
    }
}
