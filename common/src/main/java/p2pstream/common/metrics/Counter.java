package p2pstream.common.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A count that only goes up (a Prometheus counter, or one label value of one): {@link #inc} and {@link #add} from
 * any thread, without a lock (a {@link LongAdder}), cheap enough for a loop's hot path.
 */
public final class Counter {
    private final LongAdder sum = new LongAdder();

    Counter() {
    }

    public void inc() {
        sum.increment();
    }

    /** Adds {@code n}, which must not be negative: a counter never goes down. */
    public void add(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("counter add: " + n + " (expected: >= 0)");
        }
        sum.add(n);
    }

    /** The count so far. Any thread. */
    public long value() {
        return sum.sum();
    }
}
