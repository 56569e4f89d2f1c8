package p2pstream.peer.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import p2pstream.common.cli.Endpoint;
import p2pstream.common.net.Acceptor;
import p2pstream.common.wire.PeerId;
import p2pstream.peer.http.Gateway;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Timings;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.viewer.Viewer;

/**
 * {@code peer-client TRACKER --http [HOST:]PORT [STREAM]}: runs a gateway until Ctrl-C or SIGTERM, saying where it
 * listens; with a STREAM, opens that one at once. Main thread only.
 */
final class GatewayRun {
    private GatewayRun() {
    }

    /**
     * The address of {@code --http}: {@code PORT} alone listens on loopback (the gateway then answers only this
     * machine, with a Host check against DNS rebinding); {@code HOST:PORT} where asked.
     */
    static InetSocketAddress httpAddress(String text) {
        String t = text.trim();
        if (t.chars().allMatch(Character::isDigit) && !t.isEmpty()) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(t));
        }
        InetSocketAddress a = Endpoint.parse(t, -1);
        if (a.getPort() < 0 || a.getPort() > 65535) {
            throw new IllegalArgumentException("--http: " + text + " (expected: [HOST:]PORT)");
        }
        return a;
    }

    static int run(InetSocketAddress tracker, Security security, InetSocketAddress http, StreamRequest streams,
                   Path cacheDir, long cacheBytes, boolean upload, int port, long uploadLimit, String stream)
            throws IOException, InterruptedException {
        Viewer.Config viewer = new Viewer.Config(tracker, upload, port, uploadLimit, tracker.getAddress(),
                Timings.DEFAULT, security);
        Gateway gateway;
        try {
            gateway = Gateway.start(new Gateway.Config(viewer, http, streams, cacheDir, cacheBytes));
        } catch (StreamFailure e) {
            System.err.println("peer-client: " + e.getMessage());
            return e.exitStatus();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "gateway-shutdown"));
        InetSocketAddress a = gateway.address();
        System.out.println("http gateway listening on http://" + Acceptor.hostPort(a) + "/");
        System.out.flush();
        if (stream != null) {
            gateway.open(stream).whenComplete((v, e) -> {
                if (e != null) {
                    System.err.println("peer-client: " + stream + ": " + StreamFailure.rootMessage(e));
                }
            });
        }
        stopped.await();
        return 0;
    }

    /** How the gateway fetches each stream: the command's peers, window and timeouts. */
    static StreamRequest streams(List<InetSocketAddress> peers, Map<InetSocketAddress, PeerId> pinned, int maxPeers,
                                 int window, long noPeerTimeoutMillis, long latencyMillis) {
        return new StreamRequest("-", peers, maxPeers, window, noPeerTimeoutMillis, latencyMillis, null, 0, 0, 2_000,
                null, pinned);
    }
}
