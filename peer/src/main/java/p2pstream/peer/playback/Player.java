package p2pstream.peer.playback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import p2pstream.common.net.Clock;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.Manifest;

/**
 * The output side: takes chunks from a {@link PlaybackBuffer} in order and writes them to a channel (a
 * file, stdout), hashing everything written and timing start-up and stalls. Runs on its own thread, so a
 * slow output never blocks the network loop; backpressure reaches the network through the window.
 */
public final class Player implements Runnable {
    /** The player waited longer than this for the next chunk after playback started: a stall. */
    static final long STALL_THRESHOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** What the player did: figures for the summary; {@code sha256} is null when not computed. */
    public record Result(long bytes, long firstByteNanos, int stalls, long stallNanos, String sha256) {
    }

    private final PlaybackBuffer buffer;
    private final WritableByteChannel out;
    private final Clock clock;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private final MessageDigest digest;
    private volatile long bytes;
    private volatile long firstByteNanos = -1;

    /**
     * @param hashOutput compute the SHA-256 of everything written (else {@link Result#sha256()} is null)
     */
    public Player(PlaybackBuffer buffer, WritableByteChannel out, Clock clock, boolean hashOutput) {
        this.digest = hashOutput ? Manifest.sha256() : null;
        this.buffer = buffer;
        this.out = out;
        this.clock = clock;
    }

    /** Completes when the last chunk is written, or exceptionally when the download or the output failed. */
    public CompletableFuture<Result> result() {
        return result;
    }

    /** Bytes written so far. Any thread. */
    public long bytes() {
        return bytes;
    }

    /** When the first byte went out ({@link Clock} nanos), or -1. Any thread. */
    public long firstByteNanos() {
        return firstByteNanos;
    }

    @Override
    public void run() {
        int stalls = 0;
        long stallNanos = 0;
        try {
            while (true) {
                ByteBuffer chunk = buffer.take(0);
                if (chunk == null) {
                    long waitStart = clock.nanoTime();
                    while (chunk == null) {
                        chunk = buffer.take(POLL_NANOS);
                    }
                    long waited = clock.nanoTime() - waitStart;
                    if (firstByteNanos >= 0 && waited > STALL_THRESHOLD_NANOS) {
                        stalls++;
                        stallNanos += waited;
                    }
                }
                if (!chunk.hasRemaining()) {
                    break; // end of stream
                }
                if (digest != null) {
                    digest.update(chunk.duplicate());
                }
                int n = chunk.remaining();
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                if (firstByteNanos < 0) {
                    firstByteNanos = clock.nanoTime();
                }
                bytes += n;
                buffer.release();
            }
            result.complete(new Result(bytes, firstByteNanos, stalls, stallNanos, digest == null ? null : Wire.hex(digest.digest())));
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
}
