package p2pstream.common.net;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Figures one run of a {@link HostileCase} measured (connections refused, peak queued bytes, seconds until
 * closed...), written with the run's outcome for the robustness table. Confined to the test's thread, except
 * that figures may be recorded from any thread.
 */
public final class Trial {
    private final Map<String, Double> figures = new LinkedHashMap<>();

    /** Records {@code value} under {@code name}; the name carries the unit, e.g. "peak queued KiB". */
    public synchronized void record(String name, double value) {
        if (name.indexOf('\t') >= 0 || name.indexOf('=') >= 0) {
            throw new IllegalArgumentException("figure name: " + name + " (expected: no tab or '=')");
        }
        figures.put(name, value);
    }

    /** Records a duration in seconds, from a start taken with {@link System#nanoTime()}. */
    public void recordSecondsSince(String name, long startNanos) {
        record(name, (System.nanoTime() - startNanos) / 1e9);
    }

    synchronized Map<String, Double> figures() {
        return new LinkedHashMap<>(figures);
    }
}
