package p2pstream.peer.schedule;

/**
 * A set of chunk indexes that remembers only the most recent {@code capacity} up to the highest ever added:
 * what a live peer holds, whose indexes grow without bound. Adding an index far ahead forgets everything
 * before its reach, so memory is fixed whatever indexes a peer claims. Not thread-safe (one loop thread).
 */
public final class RecentSet {
    private final long[] words;
    private final int capacity;
    private int top = -1;

    public RecentSet(int capacity) {
        if (capacity < 64 || capacity % 64 != 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: a positive multiple of 64)");
        }
        this.capacity = capacity;
        this.words = new long[capacity / 64];
    }

    /** The highest index ever added, -1 before the first. */
    public int top() {
        return top;
    }

    /** The lowest index still remembered. */
    public int floor() {
        return Math.max(0, top - capacity + 1);
    }

    public boolean contains(int index) {
        return index >= 0 && index <= top && index > top - capacity && (words[slot(index)] & bit(index)) != 0;
    }

    /** Adds {@code index} (>= 0); one older than the set reaches is ignored. */
    public void add(int index) {
        if (index < 0 || index <= top - capacity) {
            return;
        }
        if (index > top) {
            // the slots of indexes top+1..index held indexes that now fall out of reach
            long from = Math.max((long) top + 1, (long) index - capacity + 1);
            for (long i = from; i <= index; i++) {
                words[slot((int) i)] &= ~bit((int) i);
            }
            top = index;
        }
        words[slot(index)] |= bit(index);
    }

    public void remove(int index) {
        if (contains(index)) {
            words[slot(index)] &= ~bit(index);
        }
    }

    private int slot(int index) {
        return (index % capacity) >>> 6;
    }

    private static long bit(int index) {
        return 1L << (index & 63);
    }
}
