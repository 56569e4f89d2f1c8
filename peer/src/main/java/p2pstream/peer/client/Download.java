package p2pstream.peer.client;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.WritableByteChannel;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Role;
import p2pstream.peer.playback.PlaybackBuffer;
import p2pstream.peer.playback.Player;
import p2pstream.peer.store.Manifest;

/**
 * Streams one stream into an output channel: a loop thread for the tracker and the peers, a player thread
 * for the output. {@link #run} blocks the calling thread until the stream is delivered or has failed; the
 * output channel is not closed.
 */
public final class Download {
    private static final Logger log = LoggerFactory.getLogger(Download.class);

    /**
     * @param stream            a stream name, or a content id in hex
     * @param maxPeers          peers connected at once (K)
     * @param windowChunks      chunks fetched ahead of the playhead: bounds memory to this many chunks
     * @param noPeerTimeoutMillis give up after this long without any usable peer
     * @param progress          where to draw a progress line, or null
     * @param hashOutput        compute the SHA-256 of everything written (a second pass over every byte; each
     *                          chunk is verified against the manifest either way)
     */
    public record Config(InetSocketAddress tracker, String stream, int maxPeers, int windowChunks,
                         long noPeerTimeoutMillis, PrintStream progress, boolean hashOutput) {
        public static Config of(InetSocketAddress tracker, String stream) {
            return new Config(tracker, stream, 8, 128, 20_000, null, true);
        }

        public Config withMaxPeers(int k) {
            return new Config(tracker, stream, k, windowChunks, noPeerTimeoutMillis, progress, hashOutput);
        }

        public Config withWindowChunks(int n) {
            return new Config(tracker, stream, maxPeers, n, noPeerTimeoutMillis, progress, hashOutput);
        }

        public Config withNoPeerTimeoutMillis(long millis) {
            return new Config(tracker, stream, maxPeers, windowChunks, millis, progress, hashOutput);
        }

        public Config withProgress(PrintStream out) {
            return new Config(tracker, stream, maxPeers, windowChunks, noPeerTimeoutMillis, out, hashOutput);
        }

        public Config withHashOutput(boolean on) {
            return new Config(tracker, stream, maxPeers, windowChunks, noPeerTimeoutMillis, progress, on);
        }
    }

    /** Hashing runs beside the network loop and the player; more threads than cores would only contend. */
    static final int VERIFIER_THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() - 1));

    private Download() {
    }

    /** Streams {@code config.stream()} into {@code out}; returns the figures or throws with an exit status. */
    public static Stats run(Config config, WritableByteChannel out) throws DownloadException, InterruptedException {
        ExecutorService verifier = Executors.newFixedThreadPool(VERIFIER_THREADS, r -> {
            Thread t = new Thread(r, "verifier");
            t.setDaemon(true);
            return t;
        });
        try (EventLoop loop = new EventLoop("download").start()) {
            Run run = new Run(loop, config, out, verifier);
            return run.await();
        } finally {
            verifier.shutdownNow();
        }
    }

    /** The state shared by the loop thread, the player thread and the caller for one run. */
    private static final class Run implements DownloadSession.DownloadListener {
        private final EventLoop loop;
        private final Config config;
        private final WritableByteChannel out;
        private final TrackerClient tracker;
        private final DownloadSession session;
        private final CompletableFuture<Player.Result> outcome = new CompletableFuture<>();
        private final long startNanos;
        private volatile Player player;
        private volatile Manifest manifest;
        private volatile PlaybackBuffer buffer;
        private Thread playerThread;
        private volatile int failureStatus;
        private long lastProgressNanos;
        private long lastProgressBytes;

        Run(EventLoop loop, Config config, WritableByteChannel out, ExecutorService verifier) {
            this.loop = loop;
            this.config = config;
            this.out = out;
            this.startNanos = loop.nanoTime();
            this.tracker = new TrackerClient(loop, config.tracker(), new Hello(Role.CLIENT, PeerId.random(), 0, null), true);
            this.session = new DownloadSession(loop, tracker, config, this, verifier);
            tracker.start();
            loop.execute(session::start);
        }

        Stats await() throws DownloadException, InterruptedException {
            Player.Result result = null;
            String failure = null;
            try {
                result = outcome.get();
            } catch (ExecutionException e) {
                failure = DownloadSession.rootMessage(e);
            }
            CompletableFuture<Stats> stats = new CompletableFuture<>();
            Player.Result r = result;
            loop.execute(() -> {
                session.stop(r != null ? "stream complete" : "download failed");
                tracker.close();
                stats.complete(stats(r));
            });
            if (playerThread != null) {
                playerThread.join(TimeUnit.SECONDS.toMillis(10));
            }
            Stats s;
            try {
                s = stats.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new DownloadException(DownloadException.FAILED, "cannot collect figures: " + e, null);
            }
            endProgressLine();
            if (failure != null) {
                int status = failureStatus != 0 ? failureStatus : DownloadException.FAILED;
                throw new DownloadException(status, failure, manifest == null ? null : s);
            }
            return s;
        }

        @Override
        public PlaybackBuffer onManifest(Manifest m) {
            manifest = m;
            PlaybackBuffer playback = new PlaybackBuffer(m.chunkCount(), Math.max(1, Math.min(config.windowChunks(), Math.max(1, m.chunkCount()))),
                    m.chunkSize(), 0, session::onPlayheadMoved);
            Player p = new Player(playback, out, loop.clock(), config.hashOutput());
            player = p;
            buffer = playback;
            p.result().whenComplete((res, err) -> {
                if (err != null) {
                    outcome.completeExceptionally(err);
                } else {
                    outcome.complete(res);
                }
            });
            // a failed download wakes a waiting player, which then ends
            outcome.whenComplete((res, err) -> {
                if (err != null) {
                    playback.fail(err);
                }
            });
            playerThread = new Thread(p, "player");
            playerThread.setDaemon(true);
            playerThread.start();
            return playback;
        }

        @Override
        public void onFailed(int exitStatus, String message) {
            failureStatus = exitStatus;
            outcome.completeExceptionally(new DownloadException(exitStatus, message, null));
        }

        @Override
        public void onTick() {
            if (config.progress() == null || manifest == null) {
                return;
            }
            long now = loop.nanoTime();
            long bytes = player == null ? 0 : player.bytes();
            double seconds = (now - lastProgressNanos) / 1e9;
            if (lastProgressNanos != 0 && seconds < 0.5) {
                return;
            }
            double rate = lastProgressNanos == 0 ? 0 : (bytes - lastProgressBytes) / seconds;
            lastProgressNanos = now;
            lastProgressBytes = bytes;
            config.progress().printf(Locale.ROOT, "\r%s: %s / %s  %6.1f MB/s  peers %d  buffer %d/%d chunks   ",
                    manifest.name(), Stats.bytesText(bytes), Stats.bytesText(manifest.size()), rate / 1e6,
                    session.readyPeers(), buffer == null ? 0 : buffer.buffered(), buffer == null ? 0 : buffer.window());
            config.progress().flush();
        }

        private void endProgressLine() {
            if (config.progress() != null && lastProgressNanos != 0) {
                config.progress().println();
            }
        }

        /** Figures so far; on the loop thread. */
        private Stats stats(Player.Result r) {
            long now = loop.nanoTime();
            Player p = player;
            long bytes = r != null ? r.bytes() : p == null ? 0 : p.bytes();
            long first = r != null ? r.firstByteNanos() : p == null ? -1 : p.firstByteNanos();
            Manifest m = manifest;
            boolean complete = r != null && m != null && r.bytes() == m.size();
            if (r != null && m != null && !complete) {
                log.error("output has {} bytes (expected: {})", r.bytes(), m.size());
            }
            return new Stats(m != null ? m.name() : session.name() != null ? session.name() : config.stream(),
                    session.contentId() == null ? null : session.contentId().hex(), m == null ? -1 : m.size(), complete, bytes,
                    (now - startNanos) / 1_000_000, first < 0 ? -1 : (first - startNanos) / 1_000_000,
                    r == null ? 0 : r.stalls(), r == null ? 0 : r.stallNanos() / 1_000_000, session.hashFailures(),
                    r == null ? null : r.sha256(), session.peerBytes());
        }
    }
}
