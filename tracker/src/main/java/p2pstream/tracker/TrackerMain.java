package p2pstream.tracker;

import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import p2pstream.common.cli.Cli;
import p2pstream.common.cli.Endpoint;
import p2pstream.common.cli.LogOptions;
import p2pstream.common.cli.Quantity;
import p2pstream.common.net.EventLoopGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar tracker.jar ADDRESS [options]}: the tracker's command line. A class of its own, with no logger,
 * so that logging is configured before {@link Tracker}'s logger exists. Main thread only.
 */
@Command(name = "tracker", mixinStandardHelpOptions = true, version = "p2pstream tracker 0.1",
        description = "Keeps, in memory, which peers hold which streams, and answers peers' lookups.")
public final class TrackerMain implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ADDRESS", description = "IP address to listen on, e.g. 127.0.0.1")
    String address;

    @Option(names = "--port", paramLabel = "N", description = "port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port = Tracker.DEFAULT_PORT;

    @Option(names = "--threads", paramLabel = "N", description = "event loop threads (default: available processors)")
    int threads = EventLoopGroup.defaultThreads();

    @Option(names = "--max-connections", paramLabel = "N", description = "open connections at most (default: ${DEFAULT-VALUE})")
    int maxConnections = 10_000;

    @Option(names = "--max-connections-per-address", paramLabel = "N",
            description = "open connections from one IP address at most (default: ${DEFAULT-VALUE})")
    int maxConnectionsPerAddress = Tracker.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;

    @Option(names = "--session-timeout", paramLabel = "DURATION",
            description = "drop a session silent this long, with its entries, e.g. 90s or 2m (default: ${DEFAULT-VALUE};"
                    + " a bare number counts seconds)")
    String sessionTimeout = "60s";

    @Option(names = "--max-entries", paramLabel = "N",
            description = "(stream, peer) entries held at most, all sessions together; announcements of new ones"
                    + " beyond it are refused (default: ${DEFAULT-VALUE})")
    int maxEntries = Registry.DEFAULT_MAX_ENTRIES;

    @Mixin
    LogOptions logs = new LogOptions();

    public static void main(String[] args) {
        TrackerMain command = new TrackerMain();
        System.exit(Cli.runMain(command, command.logs, () -> "info", args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.port("--port", port);
        Cli.positive("--threads", threads);
        Cli.positive("--max-connections", maxConnections);
        Cli.positive("--max-connections-per-address", maxConnectionsPerAddress);
        long sessionTimeoutMillis = Cli.positive("--session-timeout", Quantity.durationMillis("--session-timeout", sessionTimeout, 1000));
        Cli.positive("--max-entries", maxEntries);
        InetSocketAddress bind = Endpoint.parse(address, port);
        if (port != Tracker.DEFAULT_PORT || bind.getPort() == Tracker.DEFAULT_PORT) {
            bind = new InetSocketAddress(bind.getAddress(), port);
        }
        Tracker tracker = Tracker.start(new Tracker.Config(bind, threads, maxConnections, sessionTimeoutMillis,
                Tracker.HELLO_TIMEOUT_MILLIS, maxEntries).withMaxConnectionsPerAddress(maxConnectionsPerAddress));
        tracker.exitOnLoopDeath("tracker");
        System.out.println("tracker listening on " + Tracker.hostPort(tracker.address()));
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            tracker.close();
            stopped.countDown();
        }, "tracker-shutdown"));
        stopped.await();
        return 0;
    }
}
