package p2pstream.common.metrics;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Observations counted into fixed buckets (a Prometheus histogram): {@link #observe} from any thread, without a
 * lock. The buckets are upper bounds chosen when it is registered, in the metric's unit (seconds, bytes); the
 * exposition adds {@code +Inf}, {@code _sum} and {@code _count}.
 */
public final class Histogram {
    private final double[] upperBounds;
    /** One per bound and a last one for what lies above every bound; not cumulative until written. */
    private final LongAdder[] buckets;
    private final DoubleAdder sum = new DoubleAdder();

    Histogram(double[] upperBounds) {
        if (upperBounds.length == 0) {
            throw new IllegalArgumentException("histogram buckets: none (expected: at least one upper bound)");
        }
        for (int i = 0; i < upperBounds.length; i++) {
            if (!Double.isFinite(upperBounds[i]) || i > 0 && upperBounds[i] <= upperBounds[i - 1]) {
                throw new IllegalArgumentException("histogram bucket " + i + ": " + upperBounds[i]
                        + " (expected: finite, increasing; +Inf is added)");
            }
        }
        this.upperBounds = upperBounds.clone();
        this.buckets = new LongAdder[upperBounds.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Counts {@code value} (in the metric's unit) in the first bucket whose bound is at least it. */
    public void observe(double value) {
        int i = 0;
        while (i < upperBounds.length && value > upperBounds[i]) {
            i++;
        }
        buckets[i].increment();
        sum.add(value);
    }

    double[] upperBounds() {
        return upperBounds;
    }

    /**
     * Cumulative counts, one per bound and the last for {@code +Inf}: read once each, so the last (the count) is
     * never below a bucket, even while other threads observe.
     */
    long[] cumulativeCounts() {
        long[] counts = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            counts[i] = running;
        }
        return counts;
    }

    double sum() {
        return sum.sum();
    }
}
