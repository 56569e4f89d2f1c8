package p2pstream.peer.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import p2pstream.common.cli.Cli;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Clock;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;
import p2pstream.peer.store.PublisherKey;

/**
 * {@code peer-server --live NAME}: publishes one live stream from an input until it ends, serves the tail to
 * the peers still connected, and exits. The command line's main thread only.
 */
record LivePublication(String name, Path input, int chunkSize, long intervalMillis, Path keyFile, int windowChunks,
                       int fanout, long revealDelayMillis, long lingerMillis) {
    static final int DEFAULT_CHUNK_BYTES = 64 * 1024;
    static final long DEFAULT_INTERVAL_MILLIS = 250;
    static final int DEFAULT_WINDOW_CHUNKS = 256;
    static final int DEFAULT_FANOUT = 1;
    static final long DEFAULT_REVEAL_DELAY_MILLIS = 1_000;
    static final long MAX_REVEAL_DELAY_MILLIS = 60_000;
    static final long DEFAULT_LINGER_MILLIS = 10_000;

    /** Publishes until the input ends (or the process is interrupted); the exit status. */
    int publish(PeerServer.Config config) throws IOException, InterruptedException {
        String problem = Wire.nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("--live: " + problem);
        }
        if (chunkSize < Wire.MIN_CHUNK_BYTES || chunkSize > Wire.MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("--chunk-size: " + chunkSize + " (expected: " + Wire.MIN_CHUNK_BYTES
                    + ".." + Wire.MAX_CHUNK_BYTES + ")");
        }
        Cli.positive("--chunk-interval", intervalMillis);
        Cli.positive("--window", windowChunks);
        if (fanout < 0 || revealDelayMillis < 0 || lingerMillis < 0) {
            throw new IllegalArgumentException("--fanout, --reveal-delay, --linger: " + fanout + ", "
                    + revealDelayMillis + ", " + lingerMillis + " (expected: >= 0)");
        }
        if (revealDelayMillis > MAX_REVEAL_DELAY_MILLIS) {
            throw new IllegalArgumentException("--reveal-delay: " + revealDelayMillis + " (expected: <= "
                    + MAX_REVEAL_DELAY_MILLIS + "; later than a minute is past every viewer's latency)");
        }
        Path keyPath = keyFile != null ? keyFile
                : Identity.home().resolve("publisher.key");
        PublisherKey key = PublisherKey.loadOrCreate(keyPath);
        LiveManifest manifest = new LiveManifest(name, chunkSize, key.publicKey(), Clock.SYSTEM.epochMicros());
        LiveWindow window = new LiveWindow(windowChunks);
        LiveHolding holding = new LiveHolding(manifest, window, fanout, revealDelayMillis);
        InputStream in = input == null ? System.in : Files.newInputStream(input);
        PeerServer server = PeerServer.startLive(config, holding);
        PeerServerMain.exitOnTrackerRefused(server);
        server.exitOnLoopDeath("peer-server");
        LivePublisher publisher = new LivePublisher(in, manifest, key, window, intervalMillis);
        Thread hook = new Thread(() -> stop(publisher, server, 2_000), "peer-server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        InetSocketAddress a = server.address();
        System.out.println("peer-server listening on " + a.getAddress().getHostAddress() + ":" + a.getPort()
                + ", publishing live " + name + " as " + manifest.contentId().hex() + " (key " + keyPath + ")");
        if (config.access().isPrivate()) {
            new AccountReaders(config.access(), server).start(); // account names resolve to devices, as for files
            System.out.println("private live " + name + ": peer-client " + config.tracker().getHostString() + ":"
                    + config.tracker().getPort() + " " + name + " (for the ids allowed; grants renewed every "
                    + config.access().renewalMillis() / 1000.0 + " s)");
        }
        PeerServerMain.printHttp(server);
        publisher.start();
        int chunks;
        try {
            chunks = publisher.ended().get();
        } catch (ExecutionException e) {
            System.err.println("peer-server: live " + name + " failed: " + e.getCause());
            return 1;
        }
        linger(server, lingerMillis);
        System.out.println("live " + name + " ended: " + chunks + " chunks, " + publisher.publishedBytes()
                + " bytes published, " + server.uploadedBytes() + " bytes uploaded");
        System.out.flush();
        Runtime.getRuntime().removeShutdownHook(hook);
        server.close();
        return 0;
    }

    /** Ctrl-C: end the stream properly (viewers are told), give them a moment for the tail, then stop. */
    private static void stop(LivePublisher publisher, PeerServer server, long lingerMillis) {
        publisher.stop();
        try {
            publisher.ended().get(1, TimeUnit.SECONDS);
            linger(server, lingerMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // stopping anyway
        }
        server.close();
    }

    private static void linger(PeerServer server, long millis) throws InterruptedException {
        long deadline = Clock.SYSTEM.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (server.connectionCount() > 0 && Clock.SYSTEM.nanoTime() < deadline) {
            Thread.sleep(50); // the peers' goodbyes are their closed connections; nothing to wait on but the count
        }
    }
}
