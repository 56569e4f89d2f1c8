package p2pstream.peer.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Timings;
import p2pstream.peer.viewer.Viewer;
import p2pstream.tracker.Tracker;

/**
 * A tracker, a peer-server sharing generated files and a gateway on loopback port 0, in this JVM; and an HTTP
 * client to ask the gateway as a player would.
 */
final class GatewayFixture implements AutoCloseable {
    final Tracker tracker;
    final PeerServer server;
    final Gateway gateway;
    final Path cache;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private GatewayFixture(Tracker tracker, PeerServer server, Gateway gateway, Path cache) {
        this.tracker = tracker;
        this.server = server;
        this.gateway = gateway;
        this.cache = cache;
    }

    /** Shares every file of {@code media}, capped at {@code uploadLimit} bytes a second (0: none). */
    static GatewayFixture start(Path media, Path cache, long uploadLimit, long cacheBytes) throws Exception {
        Tracker tracker = Tracker.start(Tracker.Config.loopback());
        PeerServer server = PeerServer.start(PeerServer.Config.loopback(tracker.address(), media)
                .withUploadLimit(uploadLimit));
        server.announced().get(10, TimeUnit.SECONDS);
        Viewer.Config viewer = new Viewer.Config(tracker.address(), true, 0, 0, InetAddress.getLoopbackAddress(),
                Timings.DEFAULT);
        StreamRequest streams = new StreamRequest("-", List.of(), 8, 16, 10_000, 2_000, null, 0, 0, 2_000, null);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        Gateway gateway = Gateway.start(new Gateway.Config(viewer, any, streams, cache, cacheBytes));
        return new GatewayFixture(tracker, server, gateway, cache);
    }

    static byte[] randomFileBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] randomFile(Path dir, String name, int size, long seed) throws IOException {
        byte[] bytes = randomFileBytes(size, seed);
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        return bytes;
    }

    URI uri(String path) {
        InetSocketAddress a = gateway.address();
        return URI.create("http://127.0.0.1:" + a.getPort() + path);
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<Void> head(String path) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(uri(path)).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(30)).build();
        return http.send(r, HttpResponse.BodyHandlers.discarding());
    }

    @Override
    public void close() {
        gateway.close();
        server.close();
        tracker.close();
    }
}
