package p2pstream.peer.playback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.Manifest;

/**
 * The output side of a live stream: writes the chunks it is handed, in the order handed, to a channel (a
 * file, stdout into a player) and measures each chunk's latency from its publish time to the moment it is
 * written. The live session decides order and skips; this thread only writes, so a slow output never blocks
 * the network loop. {@link #offer} and {@link #finish} from the loop thread; {@link #run} on its own thread.
 */
public final class LivePlayer implements Runnable {
    private static final Item END = new Item(null, false);

    /**
     * What the player did.
     *
     * @param latencies publish-to-written latency of the chunks published after the viewer joined
     * @param sha256    of everything written, or null when not computed
     */
    public record Result(long bytes, int chunks, long firstByteNanos, Latencies latencies, String sha256) {
    }

    private record Item(LiveChunk chunk, boolean measured) {
    }

    private final BlockingQueue<Item> queue;
    private final WritableByteChannel out;
    private final MessageDigest digest;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private final Latencies latencies = new Latencies();
    private volatile long bytes;
    private volatile long firstByteNanos = -1;
    private int chunks;

    /**
     * @param capacity   chunks that may wait for the output; beyond it {@link #offer} refuses (the chunk is skipped)
     * @param hashOutput compute the SHA-256 of everything written
     */
    public LivePlayer(WritableByteChannel out, int capacity, boolean hashOutput) {
        this.out = out;
        this.queue = new ArrayBlockingQueue<>(capacity + 1); // + 1: the end always fits
        this.digest = hashOutput ? Manifest.sha256() : null;
    }

    /** Hands a chunk to the output; false when the output is that far behind. {@code measured}: count its latency. */
    public boolean offer(LiveChunk chunk, boolean measured) {
        return queue.remainingCapacity() > 1 && queue.offer(new Item(chunk, measured));
    }

    /** No more chunks: the player writes what it holds and completes. */
    public void finish() {
        queue.offer(END);
    }

    /** Stops the player: what is queued is dropped. */
    public void fail(Throwable cause) {
        result.completeExceptionally(cause);
        queue.clear();
        queue.offer(END);
    }

    public CompletableFuture<Result> result() {
        return result;
    }

    /** Bytes written so far; any thread. */
    public long bytes() {
        return bytes;
    }

    public long firstByteNanos() {
        return firstByteNanos;
    }

    @Override
    public void run() {
        try {
            while (!result.isDone()) {
                Item item = queue.take();
                if (item == END) {
                    break;
                }
                write(item.chunk().bytes());
                if (item.measured()) {
                    latencies.add(System.currentTimeMillis() - item.chunk().publishMicros() / 1000);
                }
                chunks++;
            }
            result.complete(new Result(bytes, chunks, firstByteNanos, latencies, digest == null ? null : Wire.hex(digest.digest())));
        } catch (IOException e) {
            result.completeExceptionally(new IOException("output: " + (e.getMessage() == null ? e.toString() : e.getMessage()), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.completeExceptionally(e);
        }
    }

    private void write(ByteBuffer b) throws IOException {
        if (digest != null) {
            digest.update(b.duplicate());
        }
        if (firstByteNanos < 0) {
            firstByteNanos = System.nanoTime();
        }
        while (b.hasRemaining()) {
            bytes += out.write(b);
        }
    }
}
