package p2pstream.tracker;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * How many LAN beacon queries a tracker answers: at most {@link #ANSWERS_PER_SECOND} in each second of its clock, and
 * {@link #ANSWERS_PER_SOURCE_PER_SECOND} of them to one address, so a flood of queries (with forged sources too) gets a
 * trickle of answers no larger than the queries, and one noisy host cannot take every answer of a second. Fixed
 * one-second windows: a second's budget is whole again when the next begins. Time from the caller (the loop's
 * clock). Confined to the tracker's beacon loop.
 */
final class BeaconLimit {
    static final int ANSWERS_PER_SECOND = 20;
    static final int ANSWERS_PER_SOURCE_PER_SECOND = 4;
    private static final long WINDOW_NANOS = 1_000_000_000L;

    /** Answers given in the window, per source: never more than {@link #ANSWERS_PER_SECOND} entries. */
    private final Map<InetAddress, Integer> bySource = new HashMap<>();
    private long windowStartNanos;
    private boolean started;
    private int answers;
    private long refused;

    /** Whether a query from {@code source} at {@code nowNanos} may be answered; counts it if so. */
    boolean allow(InetAddress source, long nowNanos) {
        if (!started || nowNanos - windowStartNanos >= WINDOW_NANOS) {
            started = true;
            windowStartNanos = nowNanos;
            answers = 0;
            bySource.clear();
        }
        int fromSource = bySource.getOrDefault(source, 0);
        if (answers >= ANSWERS_PER_SECOND || fromSource >= ANSWERS_PER_SOURCE_PER_SECOND) {
            refused++;
            return false;
        }
        answers++;
        bySource.put(source, fromSource + 1);
        return true;
    }

    /** Queries left unanswered by the limit so far. */
    long refused() {
        return refused;
    }
}
