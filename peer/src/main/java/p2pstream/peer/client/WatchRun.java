package p2pstream.peer.client;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;
import p2pstream.peer.client.file.FileStream;
import p2pstream.peer.client.live.LiveStream;
import p2pstream.peer.playback.FilePlayer;
import p2pstream.peer.playback.LivePlayer;
import p2pstream.peer.playback.Mp4PipeCheck;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.ViewerStream;
import p2pstream.peer.viewer.Viewer;

/**
 * One {@link Watch}: a viewer, the stream it opens, and the player that reads it out, turned into {@link Stats}
 * at the end. Built and awaited by the caller's thread; the stream's callbacks run on the viewer's loop.
 */
final class WatchRun {
    private static final Logger log = LoggerFactory.getLogger(WatchRun.class);

    private final Watch.Config config;
    private final WritableByteChannel out;
    private final Viewer viewer;
    private final EventLoop loop;
    private final Progress progress;
    private final long startNanos;
    /** Completes when the player is done (normally: the whole stream is out), or with why it is not. */
    private final CompletableFuture<Object> outcome = new CompletableFuture<>();
    private volatile ViewerStream stream;
    private volatile FilePlayer player;
    private volatile LivePlayer livePlayer;
    private volatile int failureStatus;
    private Thread playerThread;
    private FileChannel liveFile;

    WatchRun(Watch.Config config, WritableByteChannel out) throws WatchException {
        this.config = config;
        this.out = out;
        try {
            this.viewer = new Viewer(config.viewer());
        } catch (StreamFailure e) {
            throw new WatchException(e.exitStatus(), e.getMessage(), null);
        }
        this.loop = viewer.loop();
        this.startNanos = loop.nanoTime();
        this.progress = config.progress == null ? null : new Progress(config.progress);
        // a loop killed by an Error (out of direct memory, say) must end the watch, not leave it waiting
        loop.terminated().whenComplete((v, e) -> outcome.completeExceptionally(
                new IOException("download loop stopped" + (e == null ? "" : ": " + e))));
        if (config.interrupt != null) {
            config.interrupt.thenAccept(reason -> onFailed(WatchException.INTERRUPTED, reason));
        }
        viewer.open(config.request()).whenComplete((s, e) -> {
            if (e != null) {
                StreamFailure f = e instanceof StreamFailure sf ? sf
                        : new StreamFailure(StreamFailure.FAILED, StreamFailure.rootMessage(e));
                onFailed(f.exitStatus(), f.getMessage());
            } else {
                loop.execute(() -> onOpened(s));
            }
        });
    }

    /** The stream is open: its player starts. Loop thread. */
    private void onOpened(ViewerStream s) {
        stream = s;
        s.failure().whenComplete((v, e) -> {
            StreamFailure f = (StreamFailure) (e instanceof CompletionException ? e.getCause() : e);
            onFailed(f.exitStatus(), f.getMessage());
        });
        if (outcome.isDone()) {
            s.stop("download failed");
            return;
        }
        try {
            if (s instanceof FileStream f) {
                play(f);
            } else {
                play((LiveStream) s);
            }
        } catch (IOException e) {
            onFailed(WatchException.FAILED, "output: " + e.getMessage());
        }
    }

    private void play(FileStream s) {
        Manifest m = s.manifest();
        // a file output is the store itself: the player only paces and hashes, the bytes are already in place
        WritableByteChannel sink = out;
        if (out != null && config.pipeWarnings != null && config.startOffset == 0) {
            sink = new Mp4PipeCheck(out, () -> loop.execute(() -> warn(PipeWarning.mdatFirst(m.name()))));
        }
        FilePlayer.Pacing pacing = new FilePlayer.Pacing(config.rateBytesPerSecond, config.bufferMillis * 1_000_000,
                (int) (config.startOffset - m.chunkOffset(s.startIndex())));
        FilePlayer p = new FilePlayer(m, s.store(), s.arrivals(), s.startIndex(), s.window(), s::onReaderMoved, sink,
                loop.clock(), config.hashOutput, pacing);
        player = p;
        s.addReader(p);
        s.onTick(this::onTick);
        p.result().whenComplete((res, err) -> {
            if (err != null) {
                outcome.completeExceptionally(err);
            } else {
                outcome.complete(res);
            }
        });
        start(p, "player");
        onTick(); // the progress line says at once when stored chunks are being checked: it can take seconds
    }

    private void play(LiveStream s) throws IOException {
        WritableByteChannel sink = out;
        if (sink == null) {
            ChunkStore.refuseLinkToFile(config.outputFile);
            liveFile = FileChannel.open(config.outputFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            sink = liveFile;
        }
        LivePlayer p = new LivePlayer(sink, config.windowChunks, config.hashOutput, loop.clock());
        livePlayer = p;
        p.result().whenComplete((res, err) -> {
            if (err != null) {
                outcome.completeExceptionally(err);
            } else {
                outcome.complete(res);
            }
        });
        start(p, "live-player");
        s.onTick(this::onTick);
        s.reader(p);
    }

    private void start(Runnable player, String name) {
        playerThread = new Thread(player, name);
        playerThread.setDaemon(true);
        playerThread.start();
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

    private void onFailed(int exitStatus, String message) {
        if (!outcome.isDone()) {
            failureStatus = exitStatus;
        }
        outcome.completeExceptionally(new WatchException(exitStatus, message, null));
    }

    /** Every tick of the stream: the progress line. Loop thread. */
    private void onTick() {
        if (progress == null) {
            return;
        }
        ViewerStream s = stream;
        if (s instanceof LiveStream l && livePlayer != null) {
            progress.showLive(loop.nanoTime(), l, livePlayer, viewer.catalog().traffic().uploadedBytes());
        } else if (s instanceof FileStream f && player != null) {
            progress.showFile(loop.nanoTime(), f, f.manifest().size() - config.startOffset, player,
                    config.rateBytesPerSecond, viewer.catalog().traffic().uploadedBytes());
        }
    }

    Stats await() throws WatchException, InterruptedException {
        Object result = null;
        String failure = null;
        boolean readerClosed = false;
        try {
            result = outcome.get();
        } catch (ExecutionException e) {
            failure = StreamFailure.rootMessage(e);
            readerClosed = out != null && isBrokenPipe(e);
        }
        CompletableFuture<Stats> stats = new CompletableFuture<>();
        Object r = result;
        boolean ok = failure == null;
        loop.execute(() -> {
            ViewerStream s = stream;
            if (s != null) {
                s.stop(ok ? (s instanceof LiveStream ? "stream ended" : "stream complete") : "download failed");
            }
            // serving stops before the figures are taken: bytes sent after them would be uploaded yet not counted
            viewer.stopServing(ok ? "stream complete" : "download failed");
            stats.complete(s instanceof LiveStream l
                    ? WatchFigures.live(l, livePlayer, viewer, startNanos, loop.nanoTime())
                    : WatchFigures.file((FileStream) s, player, (FilePlayer.Result) r, config, viewer, startNanos,
                            loop.nanoTime()));
        });
        FileStream f = stream instanceof FileStream fs ? fs : null;
        if (failure != null) {
            if (livePlayer != null) {
                livePlayer.fail(new IOException(failure));
            }
            if (f != null) {
                f.arrivals().fail(new IOException(failure)); // a waiting player wakes and ends
            }
        }
        if (playerThread != null) {
            playerThread.join(TimeUnit.SECONDS.toMillis(10));
        }
        Stats s;
        try {
            s = stats.get(loop.terminated().isDone() ? 0 : 10, TimeUnit.SECONDS); // a dead loop runs no task
        } catch (Exception e) {
            throw new WatchException(WatchException.FAILED, "cannot collect figures: " + e, null);
        } finally {
            close(f);
        }
        if (progress != null) {
            progress.end();
        }
        if (readerClosed) {
            // the player quit (| head, mpv closed): the end the user asked for, not a failure
            throw new WatchException(WatchException.READER_CLOSED, "output closed by the reader after " + s.bytes()
                    + " bytes", s);
        }
        if (failure != null) {
            int status = failureStatus != 0 ? failureStatus : WatchException.FAILED;
            throw new WatchException(status, failure, stream == null ? null : s);
        }
        if (!s.complete()) {
            throw new WatchException(WatchException.FAILED, "output: " + s.bytes() + " bytes (expected: "
                    + (s.size() - config.startOffset) + ")", s);
        }
        return s;
    }

    private void close(FileStream f) {
        viewer.close();
        if (liveFile != null) {
            try {
                liveFile.close();
            } catch (IOException e) {
                log.warn("closing the output: {}", e.toString());
            }
        }
        if (f != null) {
            try {
                f.store().close();
            } catch (IOException e) {
                log.warn("closing the store: {}", e.toString());
            }
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
}
