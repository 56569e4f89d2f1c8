package p2pstream.peer.playback;

import java.util.Arrays;

/**
 * Latency samples in milliseconds and their percentiles. Keeps the first {@link #MAX_SAMPLES} (a day of live
 * chunks at 4 a second is about 350,000), so memory is bounded. Not thread-safe: one writer, read after it
 * is done.
 */
public final class Latencies {
    static final int MAX_SAMPLES = 1 << 20;
    private int[] samples = new int[256];
    private int count;

    public void add(long millis) {
        if (count == MAX_SAMPLES) {
            return;
        }
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, samples.length * 2);
        }
        samples[count++] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, millis));
    }

    public int count() {
        return count;
    }

    /** The {@code p}-th percentile (0..100, nearest rank), -1 with no samples. */
    public long percentile(double p) {
        if (count == 0) {
            return -1;
        }
        int[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * count);
        return sorted[Math.max(0, Math.min(count - 1, rank - 1))];
    }

    public long max() {
        return percentile(100);
    }
}
