package p2pstream.tracker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.cli.Cli;
import p2pstream.common.cli.Endpoint;
import p2pstream.common.cli.IdentityOptions;
import p2pstream.common.cli.LogOptions;
import p2pstream.common.cli.Quantity;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.Clock;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.common.net.FatalExit;
import p2pstream.common.net.Limits;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.Beacon;
import p2pstream.common.wire.PeerId;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The tracker: accepts peer sessions on an {@link EventLoopGroup} and keeps the {@link Registry} on the
 * group's first loop. {@link #start} and {@link #close} may be called from any thread.
 */
public final class Tracker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tracker.class);
    public static final int DEFAULT_PORT = 2045;
    static final long HELLO_TIMEOUT_MILLIS = 10_000;
    /** One host (a NAT may hide a few viewers) needs a handful of sessions; 64 leaves room and bounds a flood. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;
    /** The default connection limit where the open-file limit allows it (see {@link Cli#maxConnections}). */
    static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    /** While the registry is full, a refused announcement is logged at WARN at most this often. */
    private static final long FULL_WARNING_INTERVAL_NANOS = 60_000_000_000L;

    /**
     * @param sessionTimeoutMillis a session silent this long is dropped with all its entries (peers PING
     *                             every third of it)
     * @param helloTimeoutMillis   a connection that has not completed HELLO this long after it opened is closed
     *                             with TIMEOUT, however slowly it keeps sending
     * @param maxEntries           (stream, peer) entries held at most across all sessions; announcements of
     *                             new entries beyond it are refused
     * @param maxConnectionsPerAddress open connections from one IP address at most, so one host cannot take
     *                             every slot
     * @param maxRegistryBytes     the registry's estimated heap at most, names included; announcements beyond
     *                             it are refused
     * @param http                 where to serve the dashboard and {@code /metrics} (port 0: a free one), or null
     * @param key                  the Noise static key every connection proves this tracker's identity with
     * @param data                 the directory of the accounts file (made owner-only), or null: no accounts
     * @param maxAccounts          accounts kept at most
     */
    public record Config(InetSocketAddress bind, int threads, int maxConnections, long sessionTimeoutMillis,
                         long helloTimeoutMillis, long maxEntries, int maxConnectionsPerAddress,
                         long maxRegistryBytes, InetSocketAddress http, StaticKey key, Path data, int maxAccounts) {
        public Config(InetSocketAddress bind, int threads, int maxConnections, long sessionTimeoutMillis,
                      long helloTimeoutMillis, long maxEntries) {
            this(bind, threads, maxConnections, sessionTimeoutMillis, helloTimeoutMillis, maxEntries,
                    DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, Registry.DEFAULT_MAX_BYTES, null,
                    StaticKey.of(Identity.generate()), null, AccountStore.DEFAULT_MAX_ACCOUNTS);
        }

        public Config(InetSocketAddress bind, int threads, int maxConnections, long sessionTimeoutMillis) {
            this(bind, threads, maxConnections, sessionTimeoutMillis, HELLO_TIMEOUT_MILLIS,
                    Registry.DEFAULT_MAX_ENTRIES);
        }

        public static Config loopback() {
            return new Config(new InetSocketAddress("127.0.0.1", 0), 2, 10_000, 60_000);
        }

        /** The same, with a shorter (tests) or longer pre-HELLO deadline. */
        public Config withHelloTimeoutMillis(long millis) {
            return new Config(bind, threads, maxConnections, sessionTimeoutMillis, millis, maxEntries,
                    maxConnectionsPerAddress, maxRegistryBytes, http, key, data, maxAccounts);
        }

        public Config withMaxEntries(long entries) {
            return new Config(bind, threads, maxConnections, sessionTimeoutMillis, helloTimeoutMillis, entries,
                    maxConnectionsPerAddress, maxRegistryBytes, http, key, data, maxAccounts);
        }

        public Config withMaxConnectionsPerAddress(int max) {
            return new Config(bind, threads, maxConnections, sessionTimeoutMillis, helloTimeoutMillis, maxEntries, max,
                    maxRegistryBytes, http, key, data, maxAccounts);
        }

        public Config withMaxRegistryBytes(long max) {
            return new Config(bind, threads, maxConnections, sessionTimeoutMillis, helloTimeoutMillis, maxEntries,
                    maxConnectionsPerAddress, max, http, key, data, maxAccounts);
        }

        /** The same, serving the dashboard and {@code /metrics} on {@code address} (port 0: a free one). */
        public Config withHttp(InetSocketAddress address) {
            return new Config(bind, threads, maxConnections, sessionTimeoutMillis, helloTimeoutMillis, maxEntries,
                    maxConnectionsPerAddress, maxRegistryBytes, address, key, data, maxAccounts);
        }

        /** The same, keeping accounts in {@code dir} (null: none), {@code max} of them at most. */
        public Config withAccounts(Path dir, int max) {
            return new Config(bind, threads, maxConnections, sessionTimeoutMillis, helloTimeoutMillis, maxEntries,
                    maxConnectionsPerAddress, maxRegistryBytes, http, key, dir, max);
        }

        /** The same, proving the identity that signed {@code staticKey} on every connection. */
        public Config withKey(StaticKey staticKey) {
            return new Config(bind, threads, maxConnections, sessionTimeoutMillis, helloTimeoutMillis, maxEntries,
                    maxConnectionsPerAddress, maxRegistryBytes, http, staticKey, data, maxAccounts);
        }
    }

    private final Config config;
    private final EventLoopGroup group;
    private final Registry registry;
    /** Offers of private streams to one reader each: registry loop only, as the registry. */
    private final Offers offers = new Offers();
    private final TrackerMetrics metrics;
    private final Rendezvous rendezvous = new Rendezvous(this);
    /** Null without --http. */
    private final TrackerHttp http;
    /** Null without a data directory: the tracker keeps no accounts. */
    private final Accounts accounts;
    /** Registry loop only: when the last "tracker full" warning was logged. */
    private long lastFullWarningNanos;
    private long refusedSinceFullWarning;
    private final AtomicLong sessionIds = new AtomicLong();
    private final Acceptor acceptor;
    /** The LAN beacon once started; null without. */
    private volatile TrackerBeacon beacon;

    private Tracker(Config config, Clock clock) throws IOException {
        this.config = config;
        this.registry = new Registry(config.maxEntries(), config.maxRegistryBytes());
        this.metrics = new TrackerMetrics(this, registry);
        this.group = new EventLoopGroup("tracker", config.threads(), clock);
        try {
            this.accounts = config.data() == null ? null : new Accounts(AccountStore.open(config.data(),
                    config.maxAccounts()), group.loops().get(0));
        } catch (IOException e) {
            group.close();
            throw e;
        }
        Limits limits = Limits.CONTROL.withIdleTimeoutMillis(config.helloTimeoutMillis())
                .withHelloTimeoutMillis(config.helloTimeoutMillis());
        Acceptor sessions = null;
        try {
            sessions = Acceptor.open(group, config.bind(), () -> new TrackerSession(this), limits,
                    config.maxConnections(), config.maxConnectionsPerAddress(), null, Acceptor.ERROR_FRAME,
                    config.key());
            this.acceptor = sessions;
            this.http = config.http() == null ? null : TrackerHttp.open(this, group, config.http());
        } catch (IOException e) {
            if (sessions != null) {
                sessions.close();
            }
            if (accounts != null) {
                accounts.close();
            }
            group.close();
            throw e;
        }
    }

    public static Tracker start(Config config) throws IOException {
        return start(config, Clock.SYSTEM);
    }

    /** A tracker whose loops, timeouts and offer sweep all keep {@code clock}'s time (tests move it by hand). */
    static Tracker start(Config config, Clock clock) throws IOException {
        Tracker t = new Tracker(config, clock);
        EventLoop registryLoop = t.registryLoop();
        registryLoop.execute(() -> registryLoop.schedule(Offers.SWEEP_INTERVAL_MILLIS, t::sweepOffers));
        log.info("tracker listening on {}", t.address());
        return t;
    }

    /**
     * Every {@link Offers#SWEEP_INTERVAL_MILLIS} on the registry loop, until it stops: the offers whose grant expired
     * go, so that they neither hold memory nor take room from the offers that can still be delivered.
     */
    private void sweepOffers() {
        EventLoop registryLoop = registryLoop();
        int gone = offers.expire(registryLoop.clock().epochMicros() / 1000);
        if (gone > 0) {
            log.debug("offers swept out, their grant expired: {}", gone);
        }
        registryLoop.schedule(Offers.SWEEP_INTERVAL_MILLIS, this::sweepOffers);
    }

    /** The bound address (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return acceptor.localAddress();
    }

    /** The id this tracker proves in every handshake: what peers pin. */
    public PeerId peerId() {
        return config.key().peerId();
    }

    /**
     * Starts answering LAN beacon queries (PROTOCOL.md section 12) on a UDP socket bound to {@code bind}, joined to
     * the beacon's group on {@code interfaces} (none: unicast queries only, as tests send), on the registry loop.
     * Returns the bound UDP address. At most once; any thread.
     */
    public synchronized InetSocketAddress startBeacon(InetSocketAddress bind, List<NetworkInterface> interfaces)
            throws IOException {
        if (beacon != null) {
            throw new IllegalStateException("beacon: already started");
        }
        beacon = TrackerBeacon.open(registryLoop(), new TrackerBeacon.Settings(bind, interfaces), address(), peerId());
        return beacon.address();
    }

    /** A count of the beacon's, 0 without one. Registry loop only (the beacon's). */
    long beaconCount(ToLongFunction<TrackerBeacon> count) {
        TrackerBeacon b = beacon;
        return b == null ? 0 : count.applyAsLong(b);
    }

    /** Sessions that sent HELLO and announced something, read on the registry loop. Any thread. */
    public int sessionCount() {
        return query(registry::sessionCount);
    }

    /** Streams known, read on the registry loop. Any thread. */
    public int streamCount() {
        return query(registry::streamCount);
    }

    /** (stream, peer) entries, read on the registry loop. Any thread. */
    public long entryCount() {
        return query(registry::entryCount);
    }

    /** Offers kept for their readers (section 10), read on the registry loop. Any thread. */
    int offersPending() {
        return query(offers::size);
    }

    /** The registry's estimated heap bytes, names included, read on the registry loop. Any thread. */
    public long registryBytes() {
        return query(registry::bytes);
    }

    /** Open connections. Any thread. */
    public int connectionCount() {
        return acceptor.connectionCount();
    }

    /** Where the dashboard and {@code /metrics} are served (the real port when 0 was asked for), or null. */
    public InetSocketAddress httpAddress() {
        return http == null ? null : http.address();
    }

    /**
     * From now on an event loop that dies of an Error ends the process ({@link FatalExit}): for the main only. Any
     * thread.
     */
    public void exitOnLoopDeath(String program) {
        FatalExit.onLoopDeath(group, program);
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        TrackerBeacon b = beacon;
        if (b != null) {
            b.close();
        }
        acceptor.close();
        group.close();
        if (accounts != null) {
            accounts.close();
        }
        log.info("tracker on {} stopped", address());
    }

    /** This tracker's Noise static key: what its dial-backs prove. */
    StaticKey key() {
        return config.key();
    }

    Rendezvous rendezvous() {
        return rendezvous;
    }

    /** The accounts, or null when this tracker keeps none; used on the registry loop only. Any thread. */
    Accounts accounts() {
        return accounts;
    }

    EventLoop registryLoop() {
        return group.loops().get(0);
    }

    Registry registry() {
        return registry;
    }

    /** Registry loop only. */
    Offers offers() {
        return offers;
    }

    TrackerMetrics metrics() {
        return metrics;
    }

    /**
     * Logs an announcement the registry refused. Registry loop only. A peer can send a refused announcement with
     * every frame (up to the frame rate), so each one is DEBUG; a full tracker, refusing every new entry, also says
     * so at WARN once a minute, with a count.
     */
    void onRefused(InetSocketAddress remote, long sessionId, String why) {
        if (!registry.isFull()) {
            log.debug("{} session {}: announcement refused: {}", remote, sessionId, why);
            return;
        }
        refusedSinceFullWarning++;
        long now = registryLoop().nanoTime();
        if (lastFullWarningNanos == 0 || now - lastFullWarningNanos >= FULL_WARNING_INTERVAL_NANOS) {
            log.warn("tracker full: {} entries (--max-entries), about {} MiB (--max-memory); refusing new announcements"
                    + " ({} refused since the last warning; latest: {} session {}: {})", registry.entryCount(),
                    registry.bytes() >> 20, refusedSinceFullWarning, remote, sessionId, why);
            lastFullWarningNanos = now;
            refusedSinceFullWarning = 0;
        } else {
            log.debug("{} session {}: announcement refused: {}", remote, sessionId, why);
        }
    }

    long nextSessionId() {
        return sessionIds.incrementAndGet();
    }

    long sessionTimeoutMillis() {
        return config.sessionTimeoutMillis();
    }

    private <T> T query(Supplier<T> q) {
        CompletableFuture<T> f = new CompletableFuture<>();
        registryLoop().execute(() -> f.complete(q.get()));
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("registry query failed: " + e, e);
        }
    }

    /**
     * The command line. Its class and fields create no logger ({@link TrackerMain} configures logging once it has
     * parsed, and initialising this nested class does not initialise {@link Tracker}).
     */
    @picocli.CommandLine.Command(name = "tracker", mixinStandardHelpOptions = true, version = "p2pstream tracker 0.1",
            description = "Keeps, in memory, which peers hold which streams, and answers peers' lookups.")
    static final class Command implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ADDRESS",
                description = "IP address to listen on, e.g. 127.0.0.1")
        String address;

        @Mixin
        LogOptions logs = new LogOptions();

        @Mixin
        IdentityOptions identity = new IdentityOptions();

        @Option(names = "--port", paramLabel = "N",
                description = "port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one)")
        int port = DEFAULT_PORT;

        @Option(names = "--threads", paramLabel = "N",
                description = "event loop threads (default: available processors)")
        int threads = EventLoopGroup.defaultThreads();

        @Option(names = "--max-connections", paramLabel = "N", description = "open connections at most (default: "
                + DEFAULT_MAX_CONNECTIONS + ", or 90%% of what the open-file limit leaves where that is fewer)")
        Integer maxConnections;

        @Option(names = "--max-connections-per-address", paramLabel = "N",
                description = "open connections from one IP address at most (default: ${DEFAULT-VALUE})")
        int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;

        @Option(names = "--session-timeout", paramLabel = "DURATION",
                description = "drop a session silent this long, with its entries, e.g. 90s or 2m"
                        + " (default: ${DEFAULT-VALUE}; a bare number counts seconds)")
        String sessionTimeout = "60s";

        @Option(names = "--max-entries", paramLabel = "N",
                description = "(stream, peer) entries held at most, all sessions together; announcements of new ones"
                        + " beyond it are refused (default: ${DEFAULT-VALUE})")
        int maxEntries = Registry.DEFAULT_MAX_ENTRIES;

        @Option(names = "--http", paramLabel = "[HOST:]PORT",
                description = "serve a dashboard (/), /api/status and Prometheus /metrics over HTTP here; HOST"
                        + " defaults to loopback, PORT 0 picks a free one (default: no HTTP)")
        String http;

        @Option(names = "--no-beacon",
                description = "do not answer LAN beacon queries (peer-client --discover); the beacon answers by"
                        + " default, on UDP " + Beacon.GROUP + ":" + Beacon.PORT + ", unless ADDRESS is loopback")
        boolean noBeacon;

        @Option(names = "--beacon-interface", paramLabel = "NAME",
                description = "answer LAN beacon queries on this network interface only, e.g. eth0; repeatable"
                        + " (default: the interface of ADDRESS, or every interface that can multicast when ADDRESS is"
                        + " 0.0.0.0)")
        List<String> beaconInterfaces = new ArrayList<>();

        @Option(names = "--data", paramLabel = "DIR",
                description = "where the accounts file (" + AccountStore.FILE + ", SQLite) lives, made owner-only"
                        + " (default: $P2PSTREAM_HOME/tracker, else ~/.p2pstream/tracker)")
        Path data;

        @Option(names = "--max-accounts", paramLabel = "N",
                description = "accounts kept at most; registering beyond it is refused (default: ${DEFAULT-VALUE})")
        int maxAccounts = AccountStore.DEFAULT_MAX_ACCOUNTS;

        @Option(names = "--max-memory", paramLabel = "SIZE",
                description = "the registry's heap at most, names included (estimated); announcements beyond it are"
                        + " refused (default: 512MiB)")
        String maxMemory = "512MiB";

        @Override
        public Integer call() throws Exception {
            if (identity.whoami()) {
                return identity.printWhoami(System.out);
            }
            if (address == null) {
                System.err.println("tracker: ADDRESS: missing (expected: the IP address to listen on, e.g. 127.0.0.1;"
                        + " try --help)");
                return Cli.USAGE;
            }
            Cli.port("--port", port);
            Cli.positive("--threads", threads);
            int maxConnections = Cli.maxConnections("--max-connections", this.maxConnections,
                    DEFAULT_MAX_CONNECTIONS, 90);
            Cli.positive("--max-connections-per-address", maxConnectionsPerAddress);
            long sessionTimeoutMillis = Cli.positive("--session-timeout",
                    Quantity.durationMillis("--session-timeout", sessionTimeout, 1000));
            Cli.positive("--max-entries", maxEntries);
            Cli.positive("--max-accounts", maxAccounts);
            long maxRegistryBytes = Cli.positive("--max-memory", Quantity.size("--max-memory", maxMemory));
            InetSocketAddress httpBind = http == null ? null : Endpoint.listen("--http", http);
            InetSocketAddress bind = Endpoint.parse(address, port);
            if (port != DEFAULT_PORT || bind.getPort() == DEFAULT_PORT) {
                bind = new InetSocketAddress(bind.getAddress(), port);
            }
            if (noBeacon && !beaconInterfaces.isEmpty()) {
                throw new IllegalArgumentException("--beacon-interface: with --no-beacon (expected: one of them)");
            }
            List<NetworkInterface> beaconOn = noBeacon ? List.of()
                    : TrackerBeacon.interfaces(bind.getAddress(), beaconInterfaces);
            Tracker tracker = Tracker.start(new Config(bind, threads, maxConnections, sessionTimeoutMillis,
                    HELLO_TIMEOUT_MILLIS, maxEntries)
                    .withMaxConnectionsPerAddress(maxConnectionsPerAddress).withMaxRegistryBytes(maxRegistryBytes)
                    .withHttp(httpBind).withKey(identity.staticKey())
                    .withAccounts(data != null ? data : Identity.home().resolve("tracker"), maxAccounts));
            tracker.exitOnLoopDeath("tracker");
            System.out.println("tracker listening on " + Acceptor.hostPort(tracker.address()));
            if (tracker.httpAddress() != null) {
                // after the line above: scripts read the first "listening on" as the tracker's own address
                System.out.println("http listening on " + TrackerHttp.url(tracker.httpAddress()));
            }
            String id = tracker.peerId().text();
            System.out.println("tracker id " + id + " (peers that want to be sure name it "
                    + Acceptor.hostPort(tracker.address()) + "#" + id + ")");
            System.out.println(beacon(tracker, beaconOn));
            System.out.println("accounts in " + tracker.config.data().resolve(AccountStore.FILE).toAbsolutePath()
                    + " (at most " + maxAccounts + ")");
            System.out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                tracker.close();
                stopped.countDown();
            }, "tracker-shutdown"));
            stopped.await();
            return 0;
        }

        /** Starts the beacon on {@code on} unless it is off; the line that says which. */
        private String beacon(Tracker tracker, List<NetworkInterface> on) {
            if (noBeacon) {
                return "beacon off (--no-beacon)";
            }
            if (on.isEmpty()) {
                return "beacon off (" + (tracker.address().getAddress().isLoopbackAddress()
                        ? "the tracker listens on loopback" : "no interface that can multicast") + ")";
            }
            List<String> names = new ArrayList<>();
            on.forEach(ni -> names.add(ni.getName()));
            try {
                tracker.startBeacon(new InetSocketAddress(Beacon.PORT), on);
            } catch (IOException e) {
                // the tracker serves all the same: peers can still name it
                return "beacon off: " + e.getMessage();
            }
            return "beacon answering on " + Beacon.GROUP + ":" + Beacon.PORT + " (" + String.join(", ", names) + ")";
        }
    }
}
