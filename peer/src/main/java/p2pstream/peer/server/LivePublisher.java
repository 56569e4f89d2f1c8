package p2pstream.peer.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Clock;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.PublisherKey;

/**
 * Cuts a live input (a pipe, a FIFO, a growing file read to its end) into signed chunks and adds them to a
 * {@link LiveWindow}: a chunk is cut when it is full, or when its first byte has waited
 * {@code intervalMillis}, so a low bitrate still leaves promptly. MPEG-TS input (0x47 every 188 bytes) is
 * cut on packet boundaries, so a skipped chunk never leaves half a packet behind. End of input flushes the rest
 * and signs the end. Two threads of its own: one blocks reading, one cuts and signs; call {@link #start} and
 * {@link #stop} from any thread.
 */
public final class LivePublisher {
    private final Clock clock;
    private static final Logger log = LoggerFactory.getLogger(LivePublisher.class);
    static final int READ_BYTES = 64 * 1024;
    /** Reads waiting to be cut: bounds memory when the cutter falls behind (the pipe then blocks the encoder). */
    static final int QUEUED_READS = 64;
    static final int TS_PACKET_BYTES = 188;
    private static final ByteBuffer END_OF_INPUT = ByteBuffer.allocate(0);

    private final InputStream input;
    private final LiveManifest manifest;
    private final PublisherKey key;
    private final LiveWindow window;
    private final long intervalNanos;
    private final BlockingQueue<ByteBuffer> reads = new ArrayBlockingQueue<>(QUEUED_READS);
    private final CompletableFuture<Integer> ended = new CompletableFuture<>();
    private final ByteBuffer pending;
    private final MessageDigest sha256 = Manifest.sha256();
    private volatile boolean stopped;
    private int align = 0; // 0 until the first bytes tell whether this is MPEG-TS
    private int nextIndex;
    private volatile long publishedBytes;
    private long pendingSinceNanos;
    private long lastMicros;

    public LivePublisher(InputStream input, LiveManifest manifest, PublisherKey key, LiveWindow window,
                         long intervalMillis) {
        this(input, manifest, key, window, intervalMillis, Clock.SYSTEM);
    }

    /** @param clock when a pending chunk is due, and the publish times signed into each chunk */
    public LivePublisher(InputStream input, LiveManifest manifest, PublisherKey key, LiveWindow window,
                         long intervalMillis, Clock clock) {
        this.clock = clock;
        this.input = input;
        this.manifest = manifest;
        this.key = key;
        this.window = window;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.pending = ByteBuffer.allocate(manifest.chunkSize());
    }

    public LivePublisher start() {
        Thread reader = new Thread(this::read, "live-reader");
        reader.setDaemon(true);
        Thread cutter = new Thread(this::cut, "live-cutter");
        cutter.setDaemon(true);
        reader.start();
        cutter.start();
        return this;
    }

    /** Completes with the number of chunks published once the input has ended and the end is signed. */
    public CompletableFuture<Integer> ended() {
        return ended;
    }

    public long publishedBytes() {
        return publishedBytes;
    }

    /** Stops reading; what was read is published and the end signed (the cutter notices within an interval). */
    public void stop() {
        stopped = true;
    }

    private void read() {
        try (InputStream in = input) {
            while (!stopped) {
                byte[] buffer = new byte[READ_BYTES];
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                if (n > 0 && !hand(ByteBuffer.wrap(buffer, 0, n))) {
                    return;
                }
            }
        } catch (IOException e) {
            log.warn("live input {}: {}", manifest.name(), e.toString());
        }
        hand(END_OF_INPUT);
    }

    /** Queues a read for the cutter, waiting while it is behind; false once stopped (the cutter ends by itself). */
    private boolean hand(ByteBuffer piece) {
        try {
            while (!reads.offer(piece, intervalNanos, TimeUnit.NANOSECONDS)) {
                if (stopped) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void cut() {
        try {
            while (true) {
                long wait = pending.position() == 0 ? intervalNanos
                        : pendingSinceNanos + intervalNanos - clock.nanoTime();
                ByteBuffer piece = reads.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
                if (piece == END_OF_INPUT || (piece == null && stopped)) {
                    flush(true);
                    finish();
                    return;
                }
                if (piece != null) {
                    take(piece);
                }
                if (pending.position() > 0 && clock.nanoTime() - pendingSinceNanos >= intervalNanos) {
                    flush(false);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended.completeExceptionally(e);
        } catch (RuntimeException e) {
            log.error("live publisher {} failed", manifest.name(), e);
            ended.completeExceptionally(e);
        }
    }

    private void take(ByteBuffer piece) {
        while (piece.hasRemaining()) {
            if (pending.position() == 0) {
                pendingSinceNanos = clock.nanoTime();
            }
            int n = Math.min(piece.remaining(), pending.remaining());
            pending.put(piece.array(), piece.position(), n);
            piece.position(piece.position() + n);
            if (!pending.hasRemaining()) {
                flush(false);
            }
        }
    }

    /** Publishes the pending bytes, whole packets only unless the input has ended; the rest stays pending. */
    private void flush(boolean last) {
        if (align == 0 && pending.position() <= TS_PACKET_BYTES && !last) {
            pendingSinceNanos = clock.nanoTime(); // too little to tell MPEG-TS from anything else yet
            return;
        }
        if (align == 0) {
            byte[] a = pending.array();
            align = pending.position() > TS_PACKET_BYTES && a[0] == 0x47 && a[TS_PACKET_BYTES] == 0x47
                    ? TS_PACKET_BYTES : 1;
            log.info("live {}: input {}", manifest.name(), align == TS_PACKET_BYTES
                    ? "is MPEG-TS: chunks end on 188-byte packets" : "is not MPEG-TS: chunks end anywhere");
        }
        int unit = Math.max(align, 1);
        int length = last ? pending.position() : pending.position() / unit * unit;
        if (length == 0) {
            pendingSinceNanos = clock.nanoTime(); // less than a packet: wait for the rest, without spinning
            return;
        }
        byte[] bytes = Arrays.copyOf(pending.array(), length);
        pending.flip().position(length);
        pending.compact();
        if (pending.position() > 0) {
            pendingSinceNanos = clock.nanoTime();
        }
        long micros = now();
        int index = nextIndex++;
        byte[] signature = key.signChunk(manifest.contentId(), index, micros, sha256.digest(bytes));
        window.add(new LiveChunk(new LiveChunkHeader(index, micros, signature), ByteBuffer.wrap(bytes)));
        publishedBytes += length;
    }

    /** Publish times never go back, even if the clock is stepped back: viewers check them for order. */
    private long now() {
        lastMicros = Math.max(lastMicros, clock.epochMicros());
        return lastMicros;
    }

    private void finish() {
        long micros = now();
        window.end(new LiveEnd(nextIndex, micros, key.signEnd(manifest.contentId(), nextIndex, micros)));
        log.info("live {} ended: {} chunks, {} bytes", manifest.name(), nextIndex, publishedBytes);
        ended.complete(nextIndex);
    }
}
