package p2pstream.peer.playback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import p2pstream.common.data.BufferData;
import p2pstream.common.data.Data;
import p2pstream.common.net.Clock;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.MemoryStore;
import p2pstream.peer.store.Store;

/**
 * A reader of a file stream that plays it out: waits for each chunk in order to be verified and stored, then
 * writes it from the store to a channel (a pipe, stdout: zero-copy unless it must be hashed), or only counts and
 * hashes it when the store is the output file itself, timing start-up and stalls. Unpaced it goes as fast as
 * chunks come; paced it consumes like a player at a bitrate after a start-up buffer, so stalls and continuity are
 * real figures. Runs on its own thread, so a slow output never blocks the network loop; backpressure reaches the
 * network through its playhead, which bounds what the stream fetches.
 */
public final class FilePlayer implements Runnable, Reader {
    /** Unpaced, the player waited longer than this for the next chunk after playback started: a stall. */
    static final long STALL_THRESHOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * What the player did: figures for the summary.
     *
     * @param sha256     of everything written, or null when not computed
     * @param continuity share of chunks that were in place when the player needed them
     */
    public record Result(long bytes, long firstByteNanos, int stalls, long stallNanos, String sha256,
                         int chunks, double continuity) {
    }

    /**
     * How to consume: {@code bytesPerSecond} 0 writes as fast as chunks arrive; otherwise playback starts
     * once {@code bufferNanos} of content are in place and then takes bytes at that rate. {@code skipBytes}
     * are dropped from the first chunk (a start position inside it).
     */
    public record Pacing(long bytesPerSecond, long bufferNanos, int skipBytes) {
        public static final Pacing NONE = new Pacing(0, 0, 0);
    }

    private final Manifest manifest;
    private final Store store;
    private final Arrivals arrivals;
    private final int window;
    private final Runnable onMoved;
    private final Clock clock;
    private final Pacing pacing;
    private final Sink sink;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private volatile int playhead;
    private ByteBuffer chunkBuffer;
    private int stalls;
    private long stallNanos;
    private int chunks;
    private int onTime;

    /**
     * @param out        where to write, or null when the store is the output (the bytes are in place already)
     * @param window     chunks the stream fetches ahead of this reader: a paced start-up buffer waits for no more
     * @param onMoved    run on this thread each time the playhead moves (keep it short: post a task)
     * @param hashOutput compute the SHA-256 of everything written (else {@link Result#sha256()} is null)
     */
    public FilePlayer(Manifest manifest, Store store, Arrivals arrivals, int startIndex, int window,
                      Runnable onMoved, WritableByteChannel out, Clock clock, boolean hashOutput, Pacing pacing) {
        this.manifest = manifest;
        this.store = store;
        this.arrivals = arrivals;
        this.playhead = startIndex;
        this.window = window;
        this.onMoved = onMoved;
        this.sink = new Sink(out, clock, hashOutput);
        this.clock = clock;
        this.pacing = pacing;
    }

    @Override
    public int playhead() {
        return playhead;
    }

    /** Completes when the last chunk is written, or exceptionally when the stream or the output failed. */
    public CompletableFuture<Result> result() {
        return result;
    }

    /** Bytes written so far. Any thread. */
    public long bytes() {
        return sink.bytes();
    }

    /** When the first byte went out ({@link Clock} nanos), or -1. Any thread. */
    public long firstByteNanos() {
        return sink.firstByteNanos();
    }

    /** Chunks in place from the playhead on without a gap, at most the window: the player's buffer. Any thread. */
    public int buffered() {
        return arrivals.contiguous(playhead, window);
    }

    @Override
    public void run() {
        try {
            if (pacing.bytesPerSecond() > 0) {
                playPaced();
            } else {
                playUnpaced();
            }
            double continuity = chunks == 0 ? 1.0 : (double) onTime / chunks;
            result.complete(new Result(sink.bytes(), sink.firstByteNanos(), stalls, stallNanos, sink.sha256(),
                    chunks, continuity));
        } catch (IOException e) {
            result.completeExceptionally(new IOException("output: " + e.getMessage(), e));
        } catch (PlaybackException e) {
            result.completeExceptionally(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.completeExceptionally(e);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    private void playUnpaced() throws IOException, InterruptedException, PlaybackException {
        while (playhead < manifest.chunkCount()) {
            boolean inPlace = arrivals.has(playhead);
            if (!inPlace) {
                long waitStart = clock.nanoTime();
                await();
                long waited = clock.nanoTime() - waitStart;
                if (sink.firstByteNanos() >= 0 && waited > STALL_THRESHOLD_NANOS) {
                    stalls++;
                    stallNanos += waited;
                } else {
                    inPlace = true; // short waits are the rhythm of an output faster than the network
                }
            }
            play(inPlace);
        }
    }

    private void playPaced() throws IOException, InterruptedException, PlaybackException {
        long rate = pacing.bytesPerSecond();
        int bufferChunks =
                (int) Math.max(1, (long) Math.ceil(rate * (pacing.bufferNanos() / 1e9) / manifest.chunkSize()));
        while (buffered() < bufferChunks && !endReachedFromPlayhead(buffered())) {
            await(); // start-up: fill the buffer first, as a player would
            if (buffered() < bufferChunks) {
                LockSupport.parkNanos(POLL_NANOS / 10);
            }
        }
        long start = clock.nanoTime();
        long played = 0;
        while (playhead < manifest.chunkCount()) {
            long due = start + (long) (played * 1e9 / rate);
            long wait = due - clock.nanoTime();
            while (wait > 0) {
                LockSupport.parkNanos(wait); // the player's clock: one chunk's worth of time per chunk
                wait = due - clock.nanoTime();
            }
            boolean inPlace = arrivals.has(playhead);
            if (!inPlace) {
                long waitStart = clock.nanoTime();
                await();
                long waited = clock.nanoTime() - waitStart;
                stalls++;
                stallNanos += waited;
                start += waited; // a stalled player resumes where it stopped, later
            }
            played += manifest.chunkLength(playhead) - (chunks == 0 ? pacing.skipBytes() : 0);
            play(inPlace);
        }
    }

    /** True when {@code n} chunks from the playhead reach the end of the stream, or the window. */
    private boolean endReachedFromPlayhead(int n) {
        return playhead + n >= manifest.chunkCount() || n >= window;
    }

    private void await() throws InterruptedException, PlaybackException {
        while (!arrivals.await(playhead, POLL_NANOS)) {
            // polled, so an interrupt or a failure is seen within the poll time
        }
    }

    /** Puts the chunk at the playhead out, then moves on. */
    private void play(boolean inPlace) throws IOException {
        int index = playhead;
        int skip = chunks == 0 ? Math.min(pacing.skipBytes(), manifest.chunkLength(index)) : 0;
        int length = manifest.chunkLength(index) - skip;
        if (store instanceof MemoryStore) {
            Data d = store.data(index);
            if (d == null) {
                throw new IOException("stored chunk " + index
                        + ": no longer held (expected: a reader within the window)");
            }
            try {
                ByteBuffer view = ((BufferData) d).view(); // no copy; it need not start at 0 (a CHUNK's index may)
                sink.write(view.position(view.position() + skip));
            } finally {
                d.release();
            }
        } else if (sink.needsBytes() || (chunks == 0 && sink.hasChannel())) {
            // hashed, or the first chunk (an output that watches its first bytes sees them written)
            ByteBuffer b = chunkBuffer();
            if (!store.read(index, b)) {
                throw new IOException("stored chunk " + index + ": cannot be read back");
            }
            sink.write(b.position(skip));
        } else if (sink.hasChannel() && store instanceof ChunkStore file) {
            sink.transfer(file.channel(), manifest.chunkOffset(index) + skip, length);
        } else {
            sink.counted(length);
        }
        chunks++;
        onTime += inPlace ? 1 : 0;
        playhead = index + 1;
        onMoved.run();
    }

    private ByteBuffer chunkBuffer() {
        if (chunkBuffer == null) {
            chunkBuffer = ByteBuffer.allocateDirect(manifest.chunkSize());
        }
        return chunkBuffer.clear();
    }
}
