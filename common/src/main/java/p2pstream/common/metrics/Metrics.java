package p2pstream.common.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One process's metrics (a tracker's, a peer-server's; several in one JVM never share one): counters, gauges and
 * histograms registered once each by name, written by {@link #text} in the Prometheus text exposition format 0.0.4,
 * in the order registered. A counter or gauge may be read from a supplier when it is written, so a figure a
 * program already keeps costs nothing between scrapes; a family may have one label with values fixed at
 * registration. Registration and {@link #text} from any thread; the suppliers run on the thread that calls
 * {@link #text}, so a program whose figures are confined to a loop writes the text on that loop.
 */
public final class Metrics {
    /** The Content-Type of {@link #text}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** What Prometheus reads about a family's samples: appends them, in the format. */
    private interface Samples {
        void write(StringBuilder out, String name);
    }

    private record Family(String name, String help, String type, Samples samples) {
    }

    private static final String[] HISTOGRAM_SUFFIXES = {"_bucket", "_sum", "_count"};

    private final List<Family> families = new ArrayList<>();
    /** Every name written, a histogram's _bucket, _sum and _count included: none may be written twice. */
    private final Set<String> names = new HashSet<>();

    /** A counter this registry keeps; {@code name} ends in {@code _total}. */
    public Counter counter(String name, String help) {
        Counter c = new Counter();
        counter(name, help, c::value);
        return c;
    }

    /** A counter read from {@code value} when written: a count the program keeps anyway (it must never go down). */
    public void counter(String name, String help, LongSupplier value) {
        add(counterName(name), help, "counter", (out, n) -> Exposition.sample(out, n, null, null,
                Long.toString(value.getAsLong())));
    }

    /** A counter with one label whose values are {@code values}, each kept by this registry; all written always. */
    public Counters counters(String name, String help, String label, String... values) {
        Counters c = new Counters(Exposition.checkLabel(label), distinct(List.of(values)));
        add(counterName(name), help, "counter", (out, n) -> {
            for (int i = 0; i < c.values().size(); i++) {
                Exposition.sample(out, n, label, c.values().get(i), Long.toString(c.get(i).value()));
            }
        });
        return c;
    }

    /** A counter with one label, each value's count read from its supplier when written, in the map's order. */
    public void counters(String name, String help, String label, Map<String, LongSupplier> values) {
        labelled(counterName(name), help, "counter", label, values, s -> Long.toString(s.getAsLong()));
    }

    /** A gauge read from {@code value} when written: a figure that goes up and down. */
    public void gauge(String name, String help, DoubleSupplier value) {
        add(gaugeName(name), help, "gauge", (out, n) -> Exposition.sample(out, n, null, null,
                Exposition.number(value.getAsDouble())));
    }

    /** A gauge with one label, each value read from its supplier when written, in the map's order. */
    public void gauges(String name, String help, String label, Map<String, DoubleSupplier> values) {
        labelled(gaugeName(name), help, "gauge", label, values, s -> Exposition.number(s.getAsDouble()));
    }

    /**
     * A histogram with buckets at {@code upperBounds} (increasing, in the unit its name ends with, e.g.
     * {@code _seconds}); {@code +Inf}, {@code _sum} and {@code _count} are added when written.
     */
    public Histogram histogram(String name, String help, double... upperBounds) {
        Histogram h = new Histogram(upperBounds);
        String checked = gaugeName(name);
        for (String suffix : HISTOGRAM_SUFFIXES) {
            if (checked.endsWith(suffix)) {
                throw new IllegalArgumentException("histogram name: " + name + " (expected: no " + suffix
                        + " suffix, the exposition adds it)");
            }
        }
        add(checked, help, "histogram", (out, n) -> {
            long[] counts = h.cumulativeCounts();
            double[] bounds = h.upperBounds();
            for (int i = 0; i < bounds.length; i++) {
                Exposition.sample(out, n + "_bucket", "le", Exposition.number(bounds[i]), Long.toString(counts[i]));
            }
            Exposition.sample(out, n + "_bucket", "le", "+Inf", Long.toString(counts[bounds.length]));
            Exposition.sample(out, n + "_sum", null, null, Exposition.number(h.sum()));
            Exposition.sample(out, n + "_count", null, null, Long.toString(counts[bounds.length]));
        }, HISTOGRAM_SUFFIXES);
        return h;
    }

    /** Every family, in the order registered, in the text format 0.0.4 (served as {@link #CONTENT_TYPE}). */
    public String text() {
        List<Family> all;
        synchronized (this) {
            all = List.copyOf(families);
        }
        StringBuilder out = new StringBuilder(128 * all.size());
        for (Family f : all) {
            Exposition.head(out, f.name(), f.help(), f.type());
            f.samples().write(out, f.name());
        }
        return out.toString();
    }

    /** A family with one label, a sample per value of {@code values}, each read and written with {@code number}. */
    private <S> void labelled(String name, String help, String type, String label, Map<String, S> values,
                              Function<S, String> number) {
        Map<String, S> copy = new LinkedHashMap<>(values);
        Exposition.checkLabel(label);
        distinct(List.copyOf(copy.keySet()));
        add(name, help, type, (out, n) -> copy.forEach((v, s) -> Exposition.sample(out, n, label, v,
                number.apply(s))));
    }

    /** Registers a family written under {@code name} and under {@code name} + each of {@code suffixes}. */
    private synchronized void add(String name, String help, String type, Samples samples, String... suffixes) {
        if (help.isBlank()) {
            throw new IllegalArgumentException("metric " + name + ": no help text (expected: what it counts)");
        }
        List<String> written = new ArrayList<>(List.of(name));
        for (String suffix : suffixes) {
            written.add(name + suffix);
        }
        for (String n : written) {
            if (names.contains(n)) {
                throw new IllegalArgumentException("metric name: " + n + " (expected: one not registered yet)");
            }
        }
        names.addAll(written);
        families.add(new Family(name, help, type, samples));
    }

    private static String counterName(String name) {
        if (!Exposition.checkName(name).endsWith("_total")) {
            throw new IllegalArgumentException("counter name: " + name + " (expected: ending in _total)");
        }
        return name;
    }

    private static String gaugeName(String name) {
        if (Exposition.checkName(name).endsWith("_total")) {
            throw new IllegalArgumentException("metric name: " + name + " (expected: _total only on a counter)");
        }
        return name;
    }

    private static List<String> distinct(List<String> values) {
        if (values.isEmpty() || new HashSet<>(values).size() != values.size()) {
            throw new IllegalArgumentException("label values: " + values + " (expected: one or more, distinct)");
        }
        return values;
    }
}
