package p2pstream.common.metrics;

/**
 * The rate of a growing count over its last few samples (lookups per second over the last 10 s, say), from samples
 * its owner takes at a steady pace with its loop's clock. Confined to the owner's thread.
 */
public final class RecentRate {
    private static final double NANOS_PER_SECOND = 1e9;

    private final long[] nanos;
    private final long[] counts;
    /** Where the next sample goes; the oldest kept is there too once the ring is full. */
    private int next;
    private int size;

    /** Keeps the last {@code samples} samples (at least 2): the rate spans the time between the first and last. */
    public RecentRate(int samples) {
        if (samples < 2) {
            throw new IllegalArgumentException("rate samples: " + samples + " (expected: >= 2)");
        }
        this.nanos = new long[samples];
        this.counts = new long[samples];
    }

    /** Records the count at {@code nowNanos}. */
    public void sample(long nowNanos, long count) {
        nanos[next] = nowNanos;
        counts[next] = count;
        next = (next + 1) % nanos.length;
        size = Math.min(size + 1, nanos.length);
    }

    /** The count's growth per second between the oldest and newest samples kept; 0 before two samples. */
    public double perSecond() {
        if (size < 2) {
            return 0;
        }
        int newest = (next - 1 + nanos.length) % nanos.length;
        int oldest = size < nanos.length ? 0 : next;
        long elapsed = nanos[newest] - nanos[oldest];
        return elapsed <= 0 ? 0 : (counts[newest] - counts[oldest]) * NANOS_PER_SECOND / elapsed;
    }
}
