package p2pstream.peer.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import p2pstream.common.cli.Cli;
import p2pstream.common.cli.Endpoint;
import p2pstream.common.cli.IdentityOptions;
import p2pstream.common.cli.LogOptions;
import p2pstream.common.cli.Quantity;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.peer.relay.Relay;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.tracker.DiscoveryOptions;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerDiscovery;
import p2pstream.peer.tracker.TrackerTrust;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code java -jar peer-server.jar ADDRESS [options]}: the peer-server command line. Main thread only. */
@Command(name = "peer-server", mixinStandardHelpOptions = true, version = "p2pstream peer-server 0.1",
        description = {"Shares every file of a directory with p2pstream peers and announces them to the tracker.",
                "With --live NAME, publishes a live stream read from standard input (or --input) instead.",
                "Exit status: 2 bad command line, 6 the tracker proved another identity than the one pinned for it,",
                "8 --discover found no tracker on the LAN (or several, and --tracker-id named none of them)."})
public final class PeerServerMain implements Callable<Integer> {
    private static final int TRACKER_PORT = 2045;
    /** The default connection limit where the open-file limit allows it (see Cli.maxConnections). */
    static final int DEFAULT_MAX_CONNECTIONS = 1_000;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ADDRESS",
            description = "IP address to listen on and announce, e.g. 127.0.0.1")
    String address;

    @Option(names = "--port", paramLabel = "N",
            description = "port to serve on (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port = PeerServer.DEFAULT_PORT;

    @Option(names = "--tracker", paramLabel = "HOST[:PORT][#ID]",
            description = "tracker (default: ADDRESS:" + TRACKER_PORT + ", or the one --discover finds on the LAN); #ID"
                    + " pins its peer id, else the id it proved first is remembered in known-trackers")
    String tracker;

    @Option(names = "--tracker-id", paramLabel = "ID",
            description = "the peer id the tracker must prove (as HOST#ID does)")
    String trackerId;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "directory to share, recursively (default: the current directory; with --relay: none)")
    Path dir;

    @Option(names = "--no-port-mapping", description = "do not ask the router (NAT-PMP) to forward a public port to"
            + " this server")
    boolean noPortMapping;

    @Option(names = "--relay", description = "carry circuits between peers that cannot reach each other (behind"
            + " NATs that defeat hole punching), as the tracker orders; for a machine others can reach")
    boolean relay;

    @Option(names = "--relay-port", paramLabel = "N",
            description = "the port circuits are taken on (default: --port + 1, or a free one when --port is 0 or"
                    + " 65535)")
    Integer relayPort;

    @Option(names = "--relay-circuits", paramLabel = "N",
            description = "circuits carried at once at most (default: ${DEFAULT-VALUE})")
    int relayCircuits = Relay.Limit.DEFAULT.maxCircuits();

    @Option(names = "--relay-bytes", paramLabel = "SIZE",
            description = "bytes one circuit carries at most, both ways (default: 4G)")
    String relayBytes = "4G";

    @Option(names = "--relay-time", paramLabel = "DURATION",
            description = "how long one circuit may run at most (default: 2h)")
    String relayTime = "2h";

    @Option(names = "--upload-limit", paramLabel = "RATE",
            description = "cap on this process's total upload: 25MB/s, 25MiB/s, 200Mbit/s or bytes per second"
                    + " (default: none)")
    String uploadLimit;

    @Option(names = "--threads", paramLabel = "N", description = "event loop threads (default: available processors)")
    int threads = EventLoopGroup.defaultThreads();

    @Option(names = "--max-connections", paramLabel = "N", description = "open connections at most (default: "
            + DEFAULT_MAX_CONNECTIONS + ", or half of what the open-file limit leaves where that is fewer)")
    Integer maxConnections;

    @Option(names = "--max-connections-per-address", paramLabel = "N",
            description = "open connections from one IP address at most (default: ${DEFAULT-VALUE})")
    int maxConnectionsPerAddress = PeerServer.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;

    @Option(names = "--http", paramLabel = "[HOST:]PORT",
            description = "serve a page of what is shared and served (/), /api/status and Prometheus /metrics over"
                    + " HTTP here, from the start (hashing included); HOST defaults to loopback, PORT 0 picks a free"
                    + " one (default: no HTTP)")
    String http;

    @Option(names = "--live", paramLabel = "NAME",
            description = "publish a live stream of this name, read from standard input or --input")
    String live;

    @Option(names = "--input", paramLabel = "FILE",
            description = "live: read this file or FIFO instead of standard input")
    Path input;

    @Option(names = "--chunk-interval", paramLabel = "DURATION",
            description = "live: cut a shorter chunk when its first byte has waited this long, e.g. 250ms"
                    + " (default: ${DEFAULT-VALUE}; a bare number counts milliseconds)")
    String chunkInterval = LivePublication.DEFAULT_INTERVAL_MILLIS + "ms";

    @Option(names = "--chunk-size", paramLabel = "SIZE", description = "live: largest chunk, 16K..4M (default: 64K)")
    String chunkSize;

    @Option(names = "--key", paramLabel = "FILE",
            description = "live: the publisher's Ed25519 key, created on first use"
                    + " (default: ~/.p2pstream/publisher.key)")
    Path key;

    @Option(names = "--window", paramLabel = "CHUNKS",
            description = "live: recent chunks kept in memory to serve (default: ${DEFAULT-VALUE})")
    int windowChunks = LivePublication.DEFAULT_WINDOW_CHUNKS;

    @Option(names = "--fanout", paramLabel = "N",
            description = "live: peers told of a new chunk at once; the others hear of it --reveal-delay later"
                    + " (default: ${DEFAULT-VALUE}; 0: all at once)")
    int fanout = LivePublication.DEFAULT_FANOUT;

    @Option(names = "--reveal-delay", paramLabel = "DURATION",
            description = "live: see --fanout (default: ${DEFAULT-VALUE})")
    String revealDelay = LivePublication.DEFAULT_REVEAL_DELAY_MILLIS + "ms";

    @Option(names = "--linger", paramLabel = "DURATION",
            description = "live: after the input ends, keep serving the tail until no peer is connected or this long"
                    + " (default: ${DEFAULT-VALUE})")
    String linger = LivePublication.DEFAULT_LINGER_MILLIS + "ms";

    @Mixin
    LogOptions logs = new LogOptions();

    @Mixin
    IdentityOptions identity = new IdentityOptions();

    @Mixin
    AccessOptions access = new AccessOptions();

    @Mixin
    DiscoveryOptions discovery = new DiscoveryOptions();

    @Mixin
    InviteOptions invite = new InviteOptions();

    @Mixin
    SendOptions send = new SendOptions();

    @Mixin
    GrantOptions grants = new GrantOptions();

    /** Logging is configured once the command line parsed: this class and its fields create no logger. */
    public static void main(String[] args) {
        PeerServerMain command = new PeerServerMain();
        System.exit(Cli.runMain(command, command.logs, () -> "info", args));
    }

    @Override
    public Integer call() throws Exception {
        if (identity.whoami()) {
            return identity.printWhoami(System.out);
        }
        if (grants.oneShot()) {
            return grants.run(identity.file(), System.out);
        }
        if (address == null) {
            System.err.println("peer-server: ADDRESS: missing (expected: the IP address to listen on and announce,"
                    + " e.g. 127.0.0.1; try --help)");
            return Cli.USAGE;
        }
        Cli.port("--port", port);
        Cli.positive("--threads", threads);
        // half: a quarter of the limit goes to shared files (OpenFiles), the rest to the JVM and selectors
        int maxConnections = Cli.maxConnections("--max-connections", this.maxConnections, DEFAULT_MAX_CONNECTIONS, 50);
        Cli.positive("--max-connections-per-address", maxConnectionsPerAddress);
        InetSocketAddress bind = new InetSocketAddress(Endpoint.parse(address, port).getAddress(), port);
        if (discovery.discover() && tracker != null) {
            throw new IllegalArgumentException("--tracker: with --discover (expected: one of them)");
        }
        discovery.targets(discovery.discover()); // its usage errors before anything is sent
        TrackerTrust.ofCommandLine(tracker, trackerId); // the ids' usage errors
        Relay.Limit relayLimit = relay ? relayLimit() : null;
        send.check(live != null);
        if (dir == null) {
            // a relay alone, or a sender, shares nothing else: an empty directory of its own
            boolean none = (relay || send.any()) && live == null;
            dir = none ? Files.createTempDirectory("p2pstream-none") : Path.of(".");
            if (none) {
                dir.toFile().deleteOnExit(); // empty, and left behind by no run
            }
        }
        if (live == null) {
            checkDir(dir);
        }
        if (discovery.discover()) {
            try {
                tracker = discovery.tracker(trackerId, System.err);
            } catch (TrackerDiscovery.NotChosen e) {
                System.err.println("peer-server: " + e.getMessage());
                return StreamFailure.NO_TRACKER;
            }
        }
        InetSocketAddress trackerAddress = Endpoint.parse(tracker != null ? TrackerTrust.address(tracker)
                : bind.getAddress().getHostAddress(), TRACKER_PORT);
        TrackerTrust trust = TrackerTrust.ofCommandLine(tracker, trackerId);
        long cap = uploadLimit == null ? 0 : Quantity.rate("--upload-limit", uploadLimit);
        InetSocketAddress httpBind = http == null ? null : Endpoint.listen("--http", http);
        if (live != null) {
            return publishLive(bind, trackerAddress, trust, cap, maxConnections, httpBind);
        }
        // usage errors first, then the identity is read
        Access readers = grants.apply(access.access(identity, false, invite), false)
                .withRevocations(Revocations.load(Revocations.fileOf(identity.file())));
        Map<Manifest, Path> sent = send.hash();
        Security security = new Security(identity.staticKey(), trust);
        PeerServer server = PeerServer.start(
                new PeerServer.Config(bind, trackerAddress, dir, cap, threads, maxConnections)
                        .withMaxConnectionsPerAddress(maxConnectionsPerAddress).withHttp(httpBind)
                        .withSecurity(security).withAccess(readers));
        server.exitOnLoopDeath("peer-server");
        exitOnTrackerRefused(server);
        if (!noPortMapping) {
            server.mapPort();
        }
        Relay circuits = relayLimit == null ? null : new Relay(new InetSocketAddress(bind.getAddress(),
                relayPort != null ? relayPort : port == 0 || port == 65_535 ? 0 : port + 1), relayLimit,
                server.uploadCap());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (circuits != null) {
                circuits.close();
            }
            server.close();
            stopped.countDown();
        }, "peer-server-shutdown"));
        if (circuits != null) {
            server.offerRelay(circuits);
            System.out.println("peer-server relaying circuits on " + Acceptor.hostPort(circuits.address()));
        }
        try {
            server.announced().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("peer-server: tracker " + trackerAddress + " not reachable yet; will keep trying");
        }
        InetSocketAddress a = server.address();
        System.out.println("peer-server listening on " + a.getAddress().getHostAddress() + ":" + a.getPort()
                + ", sharing " + server.streamCount() + " files from " + dir.toAbsolutePath().normalize());
        printHttp(server);
        if (readers.isPrivate()) {
            AccessOptions.printPrivate(server, trackerAddress, a);
        }
        startAccess(server, readers, sent, trackerAddress, trust);
        stopped.await();
        return 0;
    }

    /** Account names, files sent and invites: what lets readers in once the server runs. */
    private void startAccess(PeerServer server, Access readers, Map<Manifest, Path> sent,
                             InetSocketAddress trackerAddress, TrackerTrust trust) throws IOException {
        // account names in --allow, an allow file or a .p2paccess resolve to their devices, asked as they are seen
        AccountReaders accounts = new AccountReaders(readers, server);
        accounts.start(); // until the process ends
        if (send.any()) {
            send.start(server, readers, accounts, sent, trackerAddress, System.out);
        }
        if (invite.any()) {
            invite.start(server, readers, identity.file(), trackerAddress, trust.expected(trackerAddress), System.out);
        }
    }

    /** {@code --live NAME}: publishes until the input ends; the exit status. */
    private int publishLive(InetSocketAddress bind, InetSocketAddress trackerAddress, TrackerTrust trust, long cap,
                            int maxConnections, InetSocketAddress httpBind) throws IOException, InterruptedException {
        if (invite.any()) {
            throw new IllegalArgumentException("--invite, --password-file: with --live (expected: --private --allow"
                    + " ID or --allow-file FILE; invites are for shared files)");
        }
        Access readers = grants.apply(access.access(identity, true, invite), true)
                .withRevocations(Revocations.load(Revocations.fileOf(identity.file())));
        Security security = new Security(identity.staticKey(), trust);
        LivePublication options = new LivePublication(live, input,
                chunkSize == null ? LivePublication.DEFAULT_CHUNK_BYTES
                        : (int) Math.min(Integer.MAX_VALUE, Quantity.size("--chunk-size", chunkSize)),
                Quantity.durationMillis("--chunk-interval", chunkInterval, 1), key, windowChunks, fanout,
                Quantity.durationMillis("--reveal-delay", revealDelay, 1),
                Quantity.durationMillis("--linger", linger, 1));
        return options.publish(new PeerServer.Config(bind, trackerAddress, dir, cap, threads, maxConnections)
            .withMaxConnectionsPerAddress(maxConnectionsPerAddress).withHttp(httpBind).withSecurity(security)
            .withAccess(readers));
    }

    /** --relay-circuits, --relay-bytes and --relay-time, checked. */
    private Relay.Limit relayLimit() {
        Cli.positive("--relay-circuits", relayCircuits);
        if (relayPort != null) {
            Cli.port("--relay-port", relayPort);
        }
        return new Relay.Limit(relayCircuits, Quantity.size("--relay-bytes", relayBytes),
                Quantity.durationMillis("--relay-time", relayTime, 1000));
    }

    /** A tracker that proves another id than the one pinned ends the process with status 6, saying why. */
    static void exitOnTrackerRefused(PeerServer server) {
        server.onTrackerRefused(e -> {
            System.err.println("peer-server: " + e.getMessage());
            System.err.flush();
            new Thread(() -> System.exit(StreamFailure.TRACKER_IDENTITY), "tracker-refused-exit").start();
        });
    }

    /**
     * {@code http listening on http://HOST:PORT/} on stdout, with {@code --http}; after the "peer-server listening"
     * line, which scripts read first as the server's own address. Flushes stdout.
     */
    static void printHttp(PeerServer server) {
        if (server.httpAddress() != null) {
            System.out.println("http listening on " + PeerServerHttp.url(server.httpAddress()));
        }
        System.out.flush();
    }

    /**
     * A usage error unless {@code dir} is a directory this process can list: a file, a missing path or an
     * unreadable directory used to start a server sharing nothing (or fail naming only the path).
     */
    static void checkDir(Path dir) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(dir, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--dir: " + dir + " does not exist (expected: a directory)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("--dir: " + dir + " cannot be read: " + Cli.reason(e)
                    + " (expected: a readable directory)", e);
        }
        if (!attrs.isDirectory()) {
            throw new IllegalArgumentException("--dir: " + dir + " (expected: a directory)");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.iterator().hasNext();
        } catch (IOException | DirectoryIteratorException e) {
            IOException cause = e instanceof DirectoryIteratorException d ? d.getCause() : (IOException) e;
            throw new IllegalArgumentException("--dir: " + dir + " cannot be read: " + Cli.reason(cause)
                    + " (expected: a readable directory)", e);
        }
    }
}
