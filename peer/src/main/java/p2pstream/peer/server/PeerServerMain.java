package p2pstream.peer.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import p2pstream.common.cli.Cli;
import p2pstream.common.cli.Endpoint;
import p2pstream.common.cli.Quantity;
import p2pstream.common.net.EventLoopGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code java -jar peer-server.jar ADDRESS [options]}: the peer-server command line. Main thread only. */
@Command(name = "peer-server", mixinStandardHelpOptions = true, version = "p2pstream peer-server 0.1",
        description = "Shares every file of a directory with p2pstream peers and announces them to the tracker.")
public final class PeerServerMain implements Callable<Integer> {
    private static final int TRACKER_PORT = 2045;

    @Parameters(index = "0", paramLabel = "ADDRESS", description = "IP address to listen on and announce, e.g. 127.0.0.1")
    String address;

    @Option(names = "--port", paramLabel = "N", description = "port to serve on (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port = PeerServer.DEFAULT_PORT;

    @Option(names = "--tracker", paramLabel = "HOST[:PORT]", description = "tracker (default: ADDRESS:" + TRACKER_PORT + ")")
    String tracker;

    @Option(names = "--dir", paramLabel = "DIR", description = "directory to share, recursively (default: the current directory)")
    Path dir = Path.of(".");

    @Option(names = "--upload-limit", paramLabel = "RATE",
            description = "cap on this process's total upload: 25MB/s, 25MiB/s, 200Mbit/s or bytes per second (default: none)")
    String uploadLimit;

    @Option(names = "--threads", paramLabel = "N", description = "event loop threads (default: available processors)")
    int threads = EventLoopGroup.defaultThreads();

    @Option(names = "--max-connections", paramLabel = "N", description = "open connections at most (default: ${DEFAULT-VALUE})")
    int maxConnections = 1_000;

    public static void main(String[] args) {
        Cli.configureLogging("info");
        System.exit(Cli.run(new PeerServerMain(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.port("--port", port);
        Cli.positive("--threads", threads);
        Cli.positive("--max-connections", maxConnections);
        InetSocketAddress bind = new InetSocketAddress(Endpoint.parse(address, port).getAddress(), port);
        InetSocketAddress trackerAddress = Endpoint.parse(tracker != null ? tracker : bind.getAddress().getHostAddress(), TRACKER_PORT);
        long cap = uploadLimit == null ? 0 : Quantity.rate(uploadLimit);
        PeerServer server = PeerServer.start(new PeerServer.Config(bind, trackerAddress, dir, cap, threads, maxConnections));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "peer-server-shutdown"));
        try {
            server.announced().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("peer-server: tracker " + trackerAddress + " not reachable yet; will keep trying");
        }
        InetSocketAddress a = server.address();
        System.out.println("peer-server listening on " + a.getAddress().getHostAddress() + ":" + a.getPort()
                + ", sharing " + server.streamCount() + " files from " + dir.toAbsolutePath().normalize());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
