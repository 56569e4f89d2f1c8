package p2pstream.peer.client;

import p2pstream.peer.tracker.TrackerClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.Clock;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.common.net.TokenBucket;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Role;
import p2pstream.peer.playback.LivePlayer;
import p2pstream.peer.playback.Mp4PipeCheck;
import p2pstream.peer.playback.PlaybackBuffer;
import p2pstream.peer.playback.Player;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.server.ServerSession;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;

/**
 * One run of a {@link Download}: owns the loop, the listening socket, the tracker session, the store and
 * the player thread, and turns their outcome into {@link Stats}. Built and awaited by the caller's thread;
 * the listener callbacks run on the loop thread.
 */
final class DownloadRun implements DownloadSession.DownloadListener, LiveSession.Listener {
    private static final Logger log = LoggerFactory.getLogger(DownloadRun.class);
    /** Viewers serve other viewers: a few dozen connections is plenty and bounds what a flood can take. */
    static final int MAX_SERVED_CONNECTIONS = 64;

    private final Download.Config config;
    private final WritableByteChannel out;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Acceptor acceptor;
    private final TrackerClient tracker;
    private final DownloadSession session;
    private final Progress progress;
    private final CompletableFuture<Player.Result> outcome = new CompletableFuture<>();
    private final long startNanos;
    private volatile Player player;
    private volatile Manifest manifest;
    private volatile ChunkStore store;
    private Thread playerThread;
    private volatile int failureStatus;
    private final PeerId peerId;
    private final ExecutorService verifier;
    private final ViewerCatalog catalog;
    private volatile LiveSession live;
    private volatile LivePlayer livePlayer;
    private FileChannel liveFile;

    DownloadRun(Download.Config config, WritableByteChannel out, ExecutorService verifier) throws DownloadException {
        this.config = config;
        this.out = out;
        this.group = new EventLoopGroup("download", 1);
        this.loop = group.loops().get(0);
        this.startNanos = loop.nanoTime();
        this.verifier = verifier;
        this.peerId = PeerId.random();
        this.catalog = new ViewerCatalog(peerId);
        this.acceptor = config.upload ? listen() : null;
        int port = acceptor == null ? 0 : acceptor.localAddress().getPort();
        catalog.listenPort(port);
        this.session = new DownloadSession(loop, config, this, verifier, catalog);
        // --peer with a content id needs no tracker: none is contacted
        this.tracker = config.tracker == null ? null
                : new TrackerClient(loop, config.tracker, new Hello(Role.CLIENT, peerId, port, null), true);
        this.progress = config.progress == null ? null : new Progress(config.progress);
        session.attach(tracker);
        // a loop killed by an Error (out of direct memory, say) must end the download, not leave it waiting
        loop.terminated().whenComplete((v, e) -> outcome.completeExceptionally(
                new IOException("download loop stopped" + (e == null ? "" : ": " + e))));
        if (tracker != null) {
            tracker.start();
        }
        if (config.interrupt != null) {
            config.interrupt.thenAccept(reason -> onFailed(DownloadException.INTERRUPTED, reason));
        }
        loop.execute(session::start);
    }

    private Acceptor listen() throws DownloadException {
        // serve where the tracker reaches us: loopback stays loopback, anything else listens on every interface
        InetAddress tracker = (config.tracker != null ? config.tracker : config.peerAddresses.get(0)).getAddress();
        InetSocketAddress bind = tracker.isLoopbackAddress()
                ? new InetSocketAddress(tracker, config.listenPort) : new InetSocketAddress(config.listenPort);
        TokenBucket cap = config.uploadBytesPerSecond > 0 ? new TokenBucket(config.uploadBytesPerSecond, Clock.SYSTEM) : null;
        try {
            return Acceptor.open(group, bind, catalog::newServerSession, ServerSession.LIMITS, MAX_SERVED_CONNECTIONS,
                    PeerServer.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, cap);
        } catch (IOException e) {
            group.close();
            throw new DownloadException(DownloadException.FAILED, e.getMessage(), null);
        }
    }

    @Override
    public void onLive(Peers found) {
        LivePlayer p;
        try {
            WritableByteChannel sink = out;
            if (sink == null) {
                ChunkStore.refuseLinkToFile(config.outputFile);
                liveFile = FileChannel.open(config.outputFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                sink = liveFile;
            }
            p = new LivePlayer(sink, config.windowChunks, config.hashOutput);
        } catch (IOException e) {
            onFailed(DownloadException.FAILED, "output: " + e.getMessage());
            return;
        }
        livePlayer = p;
        p.result().whenComplete((res, err) -> {
            if (err != null) {
                outcome.completeExceptionally(err);
            } else {
                outcome.complete(null);
            }
        });
        playerThread = new Thread(p, "live-player");
        playerThread.setDaemon(true);
        playerThread.start();
        LiveSession l = new LiveSession(loop, config, this, catalog, tracker, verifier, p, found);
        live = l;
        l.start();
    }

    Stats await() throws DownloadException, InterruptedException {
        Player.Result result = null;
        String failure = null;
        boolean readerClosed = false;
        try {
            result = outcome.get();
        } catch (ExecutionException e) {
            failure = DownloadSession.rootMessage(e);
            readerClosed = out != null && isBrokenPipe(e);
        }
        CompletableFuture<Stats> stats = new CompletableFuture<>();
        Player.Result r = result;
        boolean ok = failure == null;
        loop.execute(() -> {
            session.stop(ok ? "stream complete" : "download failed");
            LiveSession l = live;
            if (l != null) {
                l.stop(ok ? "stream ended" : "download failed");
            }
            if (tracker != null) {
                tracker.close();
            }
            // serving stops before the figures are taken: bytes sent after them would be uploaded yet not counted
            if (acceptor != null) {
                acceptor.close();
            }
            catalog.traffic().stopServing(ok ? "stream complete" : "download failed");
            stats.complete(l != null ? liveStats(l) : stats(r));
        });
        LivePlayer lp = livePlayer;
        if (lp != null && failure != null) {
            lp.fail(new IOException(failure));
        }
        if (playerThread != null) {
            playerThread.join(TimeUnit.SECONDS.toMillis(10));
        }
        Stats s;
        try {
            s = stats.get(loop.terminated().isDone() ? 0 : 10, TimeUnit.SECONDS); // a dead loop runs no task
        } catch (Exception e) {
            throw new DownloadException(DownloadException.FAILED, "cannot collect figures: " + e, null);
        } finally {
            close();
        }
        if (progress != null) {
            progress.end();
        }
        if (readerClosed) {
            // the player quit (| head, mpv closed): the end the user asked for, not a failure
            throw new DownloadException(DownloadException.READER_CLOSED, "output closed by the reader after " + s.bytes() + " bytes", s);
        }
        if (failure != null) {
            int status = failureStatus != 0 ? failureStatus : DownloadException.FAILED;
            throw new DownloadException(status, failure, manifest == null && live == null ? null : s);
        }
        if (!s.complete()) {
            throw new DownloadException(DownloadException.FAILED, "output: " + s.bytes() + " bytes (expected: "
                    + (s.size() - config.startOffset) + ")", s);
        }
        return s;
    }

    private void close() {
        if (acceptor != null) {
            acceptor.close();
        }
        group.close();
        if (liveFile != null) {
            try {
                liveFile.close();
            } catch (IOException e) {
                log.warn("closing the output: {}", e.toString());
            }
        }
        ChunkStore st = store;
        if (st != null) {
            try {
                st.close();
            } catch (IOException e) {
                log.warn("closing the store: {}", e.toString());
            }
        }
    }

    @Override
    public DownloadSession.Output onManifest(Manifest m) throws IOException {
        manifest = m;
        if (config.outputFile != null) {
            store = ChunkStore.open(m, config.outputFile);
        } else if (config.upload) {
            store = ChunkStore.temporary(m);
        }
        if (config.startOffset < 0 || (config.startOffset > 0 && config.startOffset >= m.size())) {
            throw new IOException("start: " + config.startOffset + " (expected: 0.." + Math.max(0, m.size() - 1) + ")");
        }
        int window = Math.max(1, Math.min(config.windowChunks, Math.max(1, m.chunkCount())));
        PlaybackBuffer playback = new PlaybackBuffer(m.chunkCount(), window, m.chunkSize(), startIndex(m), session::onPlayheadMoved);
        // a file output is the store itself: the player only paces and hashes, the bytes are already in place
        WritableByteChannel sink = out != null ? out : new Discard();
        if (out != null && config.pipeWarnings != null && config.startOffset == 0) {
            sink = new Mp4PipeCheck(out, () -> loop.execute(() -> warn(PipeWarning.mdatFirst(m.name()))));
        }
        Player.Pacing pacing = new Player.Pacing(config.rateBytesPerSecond, config.bufferMillis * 1_000_000,
                (int) (config.startOffset - m.chunkOffset(startIndex(m))));
        Player p = new Player(playback, sink, loop.clock(), config.hashOutput, pacing);
        player = p;
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
        return new DownloadSession.Output(playback, store);
    }

    /** Says {@code text} on its own line, clearing the progress line if one is drawn; on the loop thread. */
    private void warn(String text) {
        if (progress != null) {
            progress.notice(text);
        } else {
            config.pipeWarnings.println(text);
            config.pipeWarnings.flush();
        }
    }

    /** EPIPE writing to the output: the reader closed the pipe (the JDK says so only in the message). */
    private static boolean isBrokenPipe(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof IOException && "Broken pipe".equals(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /** The chunk holding the start position. */
    private int startIndex(Manifest m) {
        return m.chunkCount() == 0 ? 0 : (int) (config.startOffset / m.chunkSize());
    }

    @Override
    public void onFailed(int exitStatus, String message) {
        failureStatus = exitStatus;
        outcome.completeExceptionally(new DownloadException(exitStatus, message, null));
    }

    @Override
    public void onTick() {
        LiveSession l = live;
        LivePlayer lp = livePlayer;
        Manifest m = manifest;
        Player p = player;
        if (progress == null) {
            return;
        }
        if (l != null && lp != null) {
            progress.showLive(loop.nanoTime(), l, lp);
        } else if (m != null && p != null) {
            progress.showFile(loop.nanoTime(), session, m.name(), m.size() - config.startOffset, p.bytes(), config.rateBytesPerSecond);
        }
    }

    /** Figures so far; on the loop thread. */
    private Stats stats(Player.Result r) {
        long now = loop.nanoTime();
        Player p = player;
        long bytes = r != null ? r.bytes() : p == null ? 0 : p.bytes();
        long first = r != null ? r.firstByteNanos() : p == null ? -1 : p.firstByteNanos();
        Manifest m = manifest;
        long expected = m == null ? -1 : m.size() - config.startOffset;
        boolean complete = r != null && m != null && r.bytes() == expected;
        if (r != null && m != null && !complete) {
            log.error("output has {} bytes (expected: {})", r.bytes(), expected);
        }
        return new Stats(m != null ? m.name() : session.name() != null ? session.name() : config.stream,
                session.contentId() == null ? null : session.contentId().hex(), m == null ? -1 : m.size(), complete, bytes,
                (now - startNanos) / 1_000_000, first < 0 ? -1 : (first - startNanos) / 1_000_000,
                r == null ? 0 : r.stalls(), r == null ? 0 : r.stallNanos() / 1_000_000, session.hashFailures(),
                r == null ? null : r.sha256(), r == null ? 0 : r.continuity(), session.uploadedBytes(), session.resumedBytes(), session.peerBytes(),
                null);
    }

    /** A live stream's figures so far; on the loop thread. */
    private Stats liveStats(LiveSession l) {
        long now = loop.nanoTime();
        LivePlayer p = livePlayer;
        LivePlayer.Result r = p == null || !p.result().isDone() || p.result().isCompletedExceptionally() ? null : p.result().join();
        Stats.Live f = l.figures();
        long first = p == null ? -1 : p.firstByteNanos();
        Stats.Live figures = r == null ? f.withPlayer(-1, -1, -1, 0, p == null ? 0 : p.chunks(), 0)
                : f.withPlayer(r.latencies().percentile(50), r.latencies().percentile(99), r.latencies().max(), r.latencies().count(),
                        r.chunks(), r.resyncBytes());
        return new Stats(l.name(), l.contentId().hex(), -1, r != null && f.ended(), p == null ? 0 : p.bytes(),
                (now - startNanos) / 1_000_000, first < 0 ? -1 : (first - startNanos) / 1_000_000, 0, 0, l.signatureFailures(),
                r == null ? null : r.sha256(), continuity(figures), l.uploadedBytes(), 0, l.peerBytes(), figures);
    }

    /** Live: the share of the chunks due since joining that were written rather than skipped. */
    private static double continuity(Stats.Live f) {
        int due = f.chunks() + f.skipped();
        return due == 0 ? 0 : (double) f.chunks() / due;
    }
}
