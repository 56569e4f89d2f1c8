package p2pstream.peer.playback;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The verified chunks between the playhead and the end of the window, handed to the player in order. Memory
 * is bounded by the window: at most {@code window} chunk buffers exist, recycled as the player consumes them.
 * The download's loop thread offers chunks; one player thread takes and releases them.
 */
public final class PlaybackBuffer {
    private final int chunkCount;
    private final int window;
    private final int chunkBytes;
    private final ByteBuffer[] slots;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Runnable onAdvance;
    private volatile int playhead;
    private int allocated;
    private int held;
    private Throwable failure;

    /**
     * @param startIndex first chunk the player needs
     * @param onAdvance  run on the player thread each time the playhead moves (keep it short: post a task)
     */
    public PlaybackBuffer(int chunkCount, int window, int chunkBytes, int startIndex, Runnable onAdvance) {
        this.chunkCount = chunkCount;
        this.window = window;
        this.chunkBytes = chunkBytes;
        this.slots = new ByteBuffer[window];
        this.playhead = startIndex;
        this.onAdvance = onAdvance;
    }

    /** The next chunk the player needs; chunkCount at the end. Any thread. */
    public int playhead() {
        return playhead;
    }

    public int window() {
        return window;
    }

    /** Chunks verified and waiting for the player. Any thread. */
    public int buffered() {
        lock.lock();
        try {
            return held;
        } finally {
            lock.unlock();
        }
    }

    public int chunkBytes() {
        return chunkBytes;
    }

    /** Chunks in place from the playhead on without a gap. Any thread. */
    public int contiguous() {
        lock.lock();
        try {
            int n = 0;
            while (n < window && playhead + n < chunkCount && slots[(playhead + n) % window] != null) {
                n++;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** True when {@code n} chunks from the playhead reach the end of the stream (or the window). Any thread. */
    public boolean endReachedFromPlayhead(int n) {
        return playhead + n >= chunkCount || n >= window;
    }

    /** An empty buffer with room for one chunk, recycled when possible. Loop thread. */
    public ByteBuffer acquire() {
        lock.lock();
        try {
            ByteBuffer b = free.poll();
            if (b == null) {
                if (allocated >= window + 1) {
                    throw new IllegalStateException("chunk buffers: " + allocated + " in use (expected: <= window " + window + " + 1)");
                }
                allocated++;
                b = ByteBuffer.allocateDirect(chunkBytes);
            }
            return b.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Gives back a buffer that was acquired but not offered. Loop thread. */
    public void recycle(ByteBuffer b) {
        lock.lock();
        try {
            free.add(b);
        } finally {
            lock.unlock();
        }
    }

    /** Stores verified chunk {@code index} (buffer ready to read), which must lie in the window. Loop thread. */
    public void offer(int index, ByteBuffer data) {
        lock.lock();
        try {
            if (index < playhead || index >= playhead + window || index >= chunkCount) {
                throw new IllegalArgumentException("chunk index: " + index + " (expected: in window [" + playhead + ", "
                        + Math.min(chunkCount, playhead + window) + "))");
            }
            int slot = index % window;
            if (slots[slot] != null) {
                free.add(data); // a late duplicate: the first copy is already here
                return;
            }
            slots[slot] = data;
            held++;
            if (index == playhead) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the player with a failure: {@link #take} throws it. Any thread. */
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
     * The chunk at the playhead, waiting up to {@code timeoutNanos} for it; null on timeout. After the last
     * chunk, returns an empty buffer. Player thread.
     *
     * @throws PlaybackException when the download failed
     */
    public ByteBuffer take(long timeoutNanos) throws InterruptedException, PlaybackException {
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (true) {
                if (failure != null) {
                    throw new PlaybackException(failure);
                }
                if (playhead >= chunkCount) {
                    return ByteBuffer.allocate(0);
                }
                ByteBuffer b = slots[playhead % window];
                if (b != null) {
                    return b;
                }
                if (remaining <= 0) {
                    return null;
                }
                remaining = changed.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The chunk {@link #take} returned has been written: move the playhead and recycle it. Player thread. */
    public void release() {
        lock.lock();
        try {
            int slot = playhead % window;
            ByteBuffer b = slots[slot];
            slots[slot] = null;
            if (b != null) {
                free.add(b);
                held--;
            }
            playhead++;
        } finally {
            lock.unlock();
        }
        onAdvance.run();
    }
}
