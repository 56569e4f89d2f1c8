package p2pstream.peer.server;

import java.util.Arrays;

/**
 * When a publisher tells the rest of its served peers of a new live chunk, after telling the first few at once:
 * {@code delay} after the chunk's first copy went into a connection, so the viewer that fetched it has had that
 * long to pass it on before anyone asks the publisher. A copy asked for but still waiting in the publisher's
 * queues holds the others back (more requests would only deepen the queue it waits in), up to {@code 3 x delay}
 * after the chunk was added; a chunk nobody asks for (or whose askers cancelled or left) is told {@code delay}
 * after it was added. Remembers the last {@code capacity} chunks. Thread-safe: serving loops and the publisher's
 * thread call it.
 */
final class Reveal {
    /** How long a first copy asked for may wait in the queues before the others are told anyway, in delays. */
    static final int MAX_QUEUED_DELAYS = 3;

    private final long delayNanos;
    private final int[] indexes;
    private final long[] addedNanos;
    private final long[] sentNanos;
    /** Requests queued for the chunk and not yet sent, across the serving sessions. */
    private final int[] askers;

    Reveal(long delayMillis, int capacity) {
        this.delayNanos = delayMillis * 1_000_000;
        this.indexes = new int[capacity];
        this.addedNanos = new long[capacity];
        this.sentNanos = new long[capacity];
        this.askers = new int[capacity];
        Arrays.fill(indexes, -1);
    }

    synchronized void onAdded(int index, long now) {
        int slot = index % indexes.length;
        indexes[slot] = index;
        addedNanos[slot] = now;
        sentNanos[slot] = -1;
        askers[slot] = 0;
    }

    synchronized void onAsked(int index) {
        int slot = slot(index);
        if (slot >= 0) {
            askers[slot]++;
        }
    }

    /** A queued request for {@code index} went without being sent: cancelled, or its session closed. */
    synchronized void onUnasked(int index) {
        int slot = slot(index);
        if (slot >= 0 && askers[slot] > 0) {
            askers[slot]--;
        }
    }

    synchronized void onSent(int index, long now) {
        int slot = slot(index);
        if (slot >= 0 && sentNanos[slot] < 0) {
            sentNanos[slot] = now;
        }
    }

    /** Nanoseconds until the others may be told of {@code index}; 0 when now (or when it is no longer remembered). */
    synchronized long waitNanos(int index, long now) {
        int slot = slot(index);
        if (slot < 0) {
            return 0;
        }
        long due;
        if (sentNanos[slot] >= 0) {
            due = sentNanos[slot] + delayNanos;
        } else if (askers[slot] > 0) {
            due = addedNanos[slot] + MAX_QUEUED_DELAYS * delayNanos;
            // not out yet: look again soon, it may leave any moment
            return due - now <= 0 ? 0 : Math.min(due - now, delayNanos / 4);
        } else {
            due = addedNanos[slot] + delayNanos;
        }
        return Math.max(0, due - now);
    }

    private int slot(int index) {
        int slot = index % indexes.length;
        return indexes[slot] == index ? slot : -1;
    }
}
