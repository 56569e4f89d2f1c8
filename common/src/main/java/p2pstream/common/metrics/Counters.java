package p2pstream.common.metrics;

import java.util.List;

/**
 * A counter with one label whose values are fixed when it is registered (a status class, a reason), one
 * {@link Counter} each: a bounded set of series, never one per peer. {@link #get} any thread; a hot path keeps the
 * {@link Counter} it gets.
 */
public final class Counters {
    private final String label;
    private final List<String> values;
    private final Counter[] counters;

    Counters(String label, List<String> values) {
        this.label = label;
        this.values = List.copyOf(values);
        this.counters = new Counter[values.size()];
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new Counter();
        }
    }

    /** The counter of label value {@code value}, one of those registered. */
    public Counter get(String value) {
        int i = values.indexOf(value);
        if (i < 0) {
            throw new IllegalArgumentException("label " + label + ": " + value + " (expected: one of " + values + ")");
        }
        return counters[i];
    }

    /** The counter of the {@code index}th label value, in the order registered (an enum's ordinal). */
    public Counter get(int index) {
        return counters[index];
    }

    String label() {
        return label;
    }

    List<String> values() {
        return values;
    }
}
