package p2pstream.peer.playback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import p2pstream.common.net.Clock;
import p2pstream.peer.store.LiveChunk;

/**
 * The output side of a live stream: writes the chunks it is handed, in the order handed, to a channel (a
 * file, stdout into a player) and measures each chunk's latency from its publish time to the moment it is
 * written. The live session decides order and skips; this thread only writes, so a slow output never blocks
 * the network loop. {@link #offer} and {@link #finish} from the loop thread; {@link #run} on its own thread.
 */
public final class LivePlayer implements Runnable, LiveReader {
    private static final Item END = new Item(null, false, false);

    /**
     * What the player did.
     *
     * @param latencies publish-to-written latency of the chunks published after the viewer joined
     * @param sha256    of everything written, or null when not computed
     */
    public record Result(long bytes, int chunks, long firstByteNanos, Latencies latencies, String sha256,
                         long resyncBytes) {
    }

    private record Item(LiveChunk chunk, boolean measured, boolean resync) {
    }

    private final BlockingQueue<Item> queue;
    private final Sink output;
    private final Clock clock;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private final Latencies latencies = new Latencies();
    private volatile int chunks;
    private volatile long lastLatencyMillis = -1;
    private final TsResync resync = new TsResync();

    /**
     * @param capacity   chunks that may wait for the output; beyond it {@link #offer} refuses (the chunk is skipped)
     * @param hashOutput compute the SHA-256 of everything written
     */
    public LivePlayer(WritableByteChannel out, int capacity, boolean hashOutput, Clock clock) {
        this.clock = clock;
        this.output = new Sink(out, clock, hashOutput);
        this.queue = new ArrayBlockingQueue<>(capacity + 1); // + 1: the end always fits
    }

    /** Queues a chunk for the output; false when the output is that far behind. */
    @Override
    public boolean offer(LiveChunk chunk, boolean measured, boolean resync) {
        return queue.remainingCapacity() > 1 && queue.offer(new Item(chunk, measured, resync));
    }

    /** No more chunks: the player writes what it holds and completes. */
    @Override
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
        return output.bytes();
    }

    public long firstByteNanos() {
        return output.firstByteNanos();
    }

    /** From publish time to written, for the last chunk written (by this host's clock); -1 before any. Any thread. */
    public long lastLatencyMillis() {
        return lastLatencyMillis;
    }

    /** Chunks written so far; any thread. */
    public int chunks() {
        return chunks;
    }

    @Override
    public void run() {
        try {
            while (!result.isDone()) {
                Item item = queue.take();
                if (item == END) {
                    break;
                }
                play(item);
                long latency = (clock.epochMicros() - item.chunk().publishMicros()) / 1000;
                if (item.measured()) {
                    latencies.add(latency);
                }
                lastLatencyMillis = latency;
                chunks++;
            }
            result.complete(new Result(output.bytes(), chunks, output.firstByteNanos(), latencies,
                    output.sha256(), resync.skippedBytes()));
        } catch (IOException e) {
            result.completeExceptionally(
                    new IOException("output: " + (e.getMessage() == null ? e.toString() : e.getMessage()), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.completeExceptionally(e);
        } catch (RuntimeException e) {
            result.completeExceptionally(e); // the download waits on this result: it must always complete
            throw e;
        }
    }

    private void play(Item item) throws IOException {
        ByteBuffer[] out = resync.next(item.chunk().bytes(), item.resync());
        if (out != null) {
            for (ByteBuffer b : out) {
                output.write(b);
            }
        }
    }
}
