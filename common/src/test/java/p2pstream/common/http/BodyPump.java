package p2pstream.common.http;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import p2pstream.common.data.BufferData;

/**
 * An endless body sent as a live stream's should be: pieces of zeros while the exchange is writable, then wait for
 * {@link HttpExchange#onWritable}. Records the most bytes ever queued, whether it waits, and its rounds, for tests.
 * Runs on the exchange's loop thread; the figures may be read from any thread.
 */
final class BodyPump implements Runnable {
    private final HttpExchange ex;
    private final int pieceBytes;
    private final AtomicLong maxPending;
    private final AtomicBoolean waiting;
    private final AtomicInteger rounds;

    BodyPump(HttpExchange ex, int pieceBytes, AtomicLong maxPending, AtomicBoolean waiting, AtomicInteger rounds) {
        this.ex = ex;
        this.pieceBytes = pieceBytes;
        this.maxPending = maxPending;
        this.waiting = waiting;
        this.rounds = rounds;
    }

    @Override
    public void run() {
        waiting.set(false);
        rounds.incrementAndGet();
        while (ex.isWritable()) {
            ex.send(BufferData.of(ByteBuffer.allocate(pieceBytes)));
            maxPending.accumulateAndGet(ex.pendingBytes(), Math::max);
        }
        ex.onWritable(this);
        waiting.set(ex.isOpen());
    }
}
