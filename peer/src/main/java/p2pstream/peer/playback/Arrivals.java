package p2pstream.peer.playback;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which chunks of a file stream are verified and in its store, for its readers: the stream's loop adds them,
 * readers' threads wait for the next one they need (a reader on the loop itself, such as an HTTP response, asks
 * {@link #has} when told a chunk arrived). A stream that fails wakes every waiting reader with the failure.
 * Thread-safe.
 */
public final class Arrivals {
    private final int chunkCount;
    private final BitSet held = new BitSet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Throwable failure;

    public Arrivals(int chunkCount) {
        this.chunkCount = chunkCount;
    }

    public int chunkCount() {
        return chunkCount;
    }

    /** Chunk {@code index} is verified and stored. */
    public void add(int index) {
        lock.lock();
        try {
            held.set(index);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public boolean has(int index) {
        lock.lock();
        try {
            return held.get(index);
        } finally {
            lock.unlock();
        }
    }

    /** Chunks in place from {@code from} on without a gap, at most {@code max}. */
    public int contiguous(int from, int max) {
        lock.lock();
        try {
            int clear = held.nextClearBit(from);
            return Math.min(max, Math.min(clear, chunkCount) - from);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The runs of chunks in place, as {@code from, to} pairs (to exclusive), in order: the first {@code maxRuns}
     * of them.
     */
    public int[] runs(int maxRuns) {
        lock.lock();
        try {
            int[] out = new int[2 * maxRuns];
            int n = 0;
            for (int from = held.nextSetBit(0); from >= 0 && n < out.length; from = held.nextSetBit(from)) {
                int to = held.nextClearBit(from);
                out[n++] = from;
                out[n++] = to;
                from = to;
            }
            return Arrays.copyOf(out, n);
        } finally {
            lock.unlock();
        }
    }

    /** Chunks in place. */
    public int count() {
        lock.lock();
        try {
            return held.cardinality();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting reader with {@code t}: {@link #await} throws it from now on. */
    public void fail(Throwable t) {
        lock.lock();
        try {
            if (failure == null) {
                failure = t;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code timeoutNanos} for chunk {@code index}; true once it is in place (at once for an index
     * past the end), false on timeout.
     *
     * @throws PlaybackException when the stream failed
     */
    public boolean await(int index, long timeoutNanos) throws InterruptedException, PlaybackException {
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (true) {
                if (failure != null) {
                    throw new PlaybackException(failure);
                }
                if (index >= chunkCount || held.get(index)) {
                    return true;
                }
                if (remaining <= 0) {
                    return false;
                }
                remaining = changed.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }
}
