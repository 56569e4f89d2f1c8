package p2pstream.tracker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.EventLoopGroup;

/**
 * {@code tracker --http}: the dashboard ({@code /}, with a log-in to the tracker's accounts: {@link DashboardLogin}),
 * {@code /api/status} and {@code /metrics}, served on the tracker's own loops. The registry lives on the registry
 * loop, so each request is read there (a task; a table of streams over as many registry turns as its walk takes) and
 * answered back on its connection's loop.
 * {@link #open} and {@link #close} from any thread.
 */
final class TrackerHttp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrackerHttp.class);
    /** A dashboard has a few viewers and a scraper or two. */
    static final HttpLimits LIMITS = HttpLimits.DEFAULTS.withConnections(64, 32);
    static final long RATE_SAMPLE_MILLIS = 1_000;

    private final Tracker tracker;
    private final HttpServer server;
    private volatile boolean closed;

    private TrackerHttp(Tracker tracker, EventLoopGroup group, InetSocketAddress bind) throws IOException {
        this.tracker = tracker;
        DashboardLogin login = tracker.accounts() == null ? null : new DashboardLogin(tracker, tracker.accounts());
        Router router = new Router()
                .exact("/", ex -> viewer(login, ex, v -> withStatus(ex, s -> respond(ex, HtmlPage.headers(),
                        DashboardPage.html(s, v)))))
                .exact("/api/status", ex -> withStatus(ex, s -> respond(ex, new HttpHeaders()
                        .add("Content-Type", "application/json").add("Cache-Control", "no-store"),
                        StatusJson.json(s))))
                .exact("/metrics", ex -> onRegistryLoop(ex, tracker.metrics()::text, text -> respond(ex,
                        new HttpHeaders().add("Content-Type", Metrics.CONTENT_TYPE).add("Cache-Control", "no-store"),
                        text)));
        if (login != null) {
            router.form("/login", login::onLogIn).form("/logout", login::onLogOut);
        }
        this.server = HttpServer.open(group, bind, router, LIMITS, tracker.metrics().http::onResponse);
        EventLoop registryLoop = tracker.registryLoop();
        registryLoop.execute(() -> sampleRates(registryLoop));
    }

    /** Serves the pages on {@code bind} (port 0: a free one), on {@code group}'s loops. */
    static TrackerHttp open(Tracker tracker, EventLoopGroup group, InetSocketAddress bind) throws IOException {
        TrackerHttp http = new TrackerHttp(tracker, group, bind);
        log.info("http listening on {}", url(http.address()));
        return http;
    }

    InetSocketAddress address() {
        return server.localAddress();
    }

    /** {@code http://HOST:PORT/}. */
    static String url(InetSocketAddress a) {
        return "http://" + Acceptor.hostPort(a) + "/";
    }

    @Override
    public void close() {
        closed = true;
        server.close();
    }

    /** Once a second, on the registry loop, while open: the samples behind the lookups-per-second figure. */
    private void sampleRates(EventLoop registryLoop) {
        if (!closed) {
            tracker.metrics().sampleRates(registryLoop.nanoTime());
            registryLoop.schedule(RATE_SAMPLE_MILLIS, () -> sampleRates(registryLoop));
        }
    }

    /** The figures now and the streams the request's {@code ?q=} filter picks, to {@code answer} on its loop. */
    private void withStatus(HttpExchange ex, Consumer<TrackerStatus> answer) {
        StreamTableScan scan = new StreamTableScan(Objects.requireNonNullElse(ex.request().queryParameter("q"), ""),
                StreamTableScan.MAX_SHOWN);
        tracker.registryLoop().execute(() -> walk(tracker, scan, () -> {
            TrackerStatus status = TrackerStatus.take(tracker, tracker.metrics(), tracker.registry(), scan);
            ex.loop().execute(() -> answer.accept(status));
        }));
    }

    /**
     * Steps {@code scan} through the registry a step per registry turn, behind the sessions' work queued meanwhile,
     * then runs {@code done} there. Registry loop only.
     */
    static void walk(Tracker tracker, NameScan scan, Runnable done) {
        if (!tracker.registry().step(scan)) {
            tracker.registryLoop().execute(() -> walk(tracker, scan, done));
            return;
        }
        done.run();
    }

    /** Who looks at the page (null without accounts), to {@code then} on the exchange's loop. */
    private static void viewer(DashboardLogin login, HttpExchange ex, Consumer<DashboardLogin.Viewer> then) {
        if (login == null) {
            then.accept(null);
        } else {
            login.viewer(ex, then);
        }
    }

    /** {@code read} on the registry loop, its result to {@code answer} on the exchange's loop. */
    private <T> void onRegistryLoop(HttpExchange ex, Supplier<T> read, Consumer<T> answer) {
        tracker.registryLoop().execute(() -> {
            T value = read.get();
            ex.loop().execute(() -> answer.accept(value));
        });
    }

    private static void respond(HttpExchange ex, HttpHeaders headers, String body) {
        if (ex.isOpen()) {
            ex.respond(200, headers, body);
        }
    }
}
