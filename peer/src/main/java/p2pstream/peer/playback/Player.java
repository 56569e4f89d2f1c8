package p2pstream.peer.playback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import p2pstream.common.net.Clock;

/**
 * The output side: takes chunks from a {@link PlaybackBuffer} in order and writes them to a channel (a file,
 * stdout), timing start-up and stalls. Unpaced it writes as fast as chunks come; paced it consumes like a
 * player at a bitrate after a start-up buffer, so stalls and continuity are real figures. Runs on its own
 * thread, so a slow output never blocks the network loop; backpressure reaches the network through the window.
 */
public final class Player implements Runnable {
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

    private final PlaybackBuffer buffer;
    private final Clock clock;
    private final Pacing pacing;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private final Output output;
    private int stalls;
    private long stallNanos;
    private int chunks;
    private int onTime;

    /**
     * @param hashOutput compute the SHA-256 of everything written (else {@link Result#sha256()} is null)
     */
    public Player(PlaybackBuffer buffer, WritableByteChannel out, Clock clock, boolean hashOutput, Pacing pacing) {
        this.output = new Output(out, clock, hashOutput);
        this.buffer = buffer;
        this.clock = clock;
        this.pacing = pacing;
    }

    public Player(PlaybackBuffer buffer, WritableByteChannel out, Clock clock, boolean hashOutput) {
        this(buffer, out, clock, hashOutput, Pacing.NONE);
    }

    /** Completes when the last chunk is written, or exceptionally when the download or the output failed. */
    public CompletableFuture<Result> result() {
        return result;
    }

    /** Bytes written so far. Any thread. */
    public long bytes() {
        return output.bytes();
    }

    /** When the first byte went out ({@link Clock} nanos), or -1. Any thread. */
    public long firstByteNanos() {
        return output.firstByteNanos();
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
            result.complete(new Result(output.bytes(), output.firstByteNanos(), stalls, stallNanos, output.sha256(), chunks,
                    continuity));
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
        while (true) {
            ByteBuffer chunk = buffer.take(0);
            boolean inPlace = chunk != null;
            if (chunk == null) {
                long waitStart = clock.nanoTime();
                chunk = await();
                long waited = clock.nanoTime() - waitStart;
                if (output.firstByteNanos() >= 0 && waited > STALL_THRESHOLD_NANOS) {
                    stalls++;
                    stallNanos += waited;
                    inPlace = false;
                } else {
                    inPlace = true; // short waits are the rhythm of an output faster than the network
                }
            }
            if (!chunk.hasRemaining()) {
                return; // end of stream
            }
            play(chunk, inPlace);
        }
    }

    private void playPaced() throws IOException, InterruptedException, PlaybackException {
        long rate = pacing.bytesPerSecond();
        int bufferChunks = (int) Math.max(1, (long) Math.ceil(rate * (pacing.bufferNanos() / 1e9) / buffer.chunkBytes()));
        while (buffer.contiguous() < bufferChunks && !buffer.endReachedFromPlayhead(buffer.contiguous())) {
            await(); // start-up: fill the buffer first, as a player would
            if (buffer.contiguous() < bufferChunks) {
                LockSupport.parkNanos(POLL_NANOS / 10);
            }
        }
        long start = clock.nanoTime();
        long played = 0;
        while (true) {
            long due = start + (long) (played * 1e9 / rate);
            long wait = due - clock.nanoTime();
            while (wait > 0) {
                LockSupport.parkNanos(wait); // the player's clock: one chunk's worth of time per chunk
                wait = due - clock.nanoTime();
            }
            ByteBuffer chunk = buffer.take(0);
            boolean inPlace = chunk != null;
            if (chunk == null) {
                long waitStart = clock.nanoTime();
                chunk = await();
                long waited = clock.nanoTime() - waitStart;
                stalls++;
                stallNanos += waited;
                start += waited; // a stalled player resumes where it stopped, later
            }
            if (!chunk.hasRemaining()) {
                return;
            }
            played += chunk.remaining() - (chunks == 0 ? pacing.skipBytes() : 0);
            play(chunk, inPlace);
        }
    }

    private ByteBuffer await() throws InterruptedException, PlaybackException {
        ByteBuffer chunk = null;
        while (chunk == null) {
            chunk = buffer.take(POLL_NANOS);
        }
        return chunk;
    }

    private void play(ByteBuffer chunk, boolean inPlace) throws IOException {
        if (chunks == 0 && pacing.skipBytes() > 0) {
            chunk.position(chunk.position() + Math.min(pacing.skipBytes(), chunk.remaining()));
        }
        output.write(chunk);
        chunks++;
        onTime += inPlace ? 1 : 0;
        buffer.release();
    }
}
