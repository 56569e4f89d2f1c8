package p2pstream.tracker;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import p2pstream.common.net.Clock;

/**
 * Slows registrations from one source (an address; an IPv6 /64 as {@code GuessLimit.sourceOf} gives it) so one host
 * cannot fill the tracker's {@code --max-accounts}: {@link #BURST} at once, then one every {@link #REFILL_MILLIS}
 * (a bucket refilled at that pace). At most {@link #MAX_SOURCES} sources remembered, the least recently seen
 * forgotten first. Time from the injected clock. Registry loop only.
 */
final class RegistrationLimit {
    static final int BURST = 8;
    static final long REFILL_MILLIS = 6 * 60_000;
    static final int MAX_SOURCES = 4096;
    private static final long NANOS_PER_MILLI = 1_000_000;

    /** A source's bucket: how many registrations it had, as of when. */
    private static final class Bucket {
        double used;
        long asOfNanos;
    }

    private final Clock clock;
    private final Map<InetAddress, Bucket> buckets = new LinkedHashMap<>(16, 0.75f, true);

    RegistrationLimit(Clock clock) {
        this.clock = clock;
    }

    /** Milliseconds {@code source} must wait before it may register again; 0 when it may now. */
    long waitMillis(InetAddress source) {
        Bucket b = buckets.get(source);
        if (b == null) {
            return 0;
        }
        double over = drained(b) - (BURST - 1);
        return over <= 0 ? 0 : (long) Math.ceil(over * REFILL_MILLIS);
    }

    /** Counts one registration from {@code source}. */
    void onRegistered(InetAddress source) {
        Bucket b = buckets.get(source);
        if (b == null) {
            if (buckets.size() >= MAX_SOURCES) {
                buckets.remove(buckets.keySet().iterator().next());
            }
            b = new Bucket();
            b.asOfNanos = clock.nanoTime();
            buckets.put(source, b);
        }
        b.used = drained(b) + 1;
        b.asOfNanos = clock.nanoTime();
    }

    private double drained(Bucket b) {
        double elapsedMillis = (double) (clock.nanoTime() - b.asOfNanos) / NANOS_PER_MILLI;
        return Math.max(0, b.used - elapsedMillis / REFILL_MILLIS);
    }
}
