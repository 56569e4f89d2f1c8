package p2pstream.peer.swarm;

/**
 * Every timer of a viewer's streams in one place: how often file and live streams tick, how long a peer may take
 * to shake hands or stay silent, when quiet links are pinged, failed addresses retried, the tracker asked again
 * and progress announced. {@link #DEFAULT} is what users get; tests that need time to pass quickly use
 * {@link #SHORT}. Thread-safe (immutable).
 *
 * @param fileTickMillis         a file stream's rates, stalls and refills are checked this often
 * @param liveTickMillis         a live stream's lapses, skips and refills are checked this often
 * @param handshakeMillis        from connecting to READY: a peer that takes longer is dropped
 * @param pingIntervalMillis     a link we sent nothing on for this long gets a PING, so neither side idles out
 * @param minStallMillis         a peer that owes chunks may deliver none for at least this long
 * @param retryDelayMillis       a failed address waits this long before another try (doubled per failure in a row)
 * @param lookupIntervalMillis   the tracker is asked for more peers at most this often while a stream lacks them
 * @param announceIntervalMillis a viewer tells the tracker how much it holds at most this often
 */
public record Timings(long fileTickMillis, long liveTickMillis, long handshakeMillis, long pingIntervalMillis,
                      long minStallMillis, long retryDelayMillis, long lookupIntervalMillis,
                      long announceIntervalMillis) {
    public static final Timings DEFAULT = new Timings(250, 100, 5_000, 15_000, 3_000, 2_000, 2_000, 2_000);
    /** A tenth of the defaults, for tests that wait on stalls, retries or lookups. */
    public static final Timings SHORT = new Timings(25, 10, 500, 1_500, 300, 200, 200, 200);

    public Timings {
        if (fileTickMillis < 1 || liveTickMillis < 1 || handshakeMillis < 1 || pingIntervalMillis < 1
                || minStallMillis < 1 || retryDelayMillis < 1 || lookupIntervalMillis < 1
                || announceIntervalMillis < 1) {
            throw new IllegalArgumentException("timings: " + this + " (expected: every one at least 1 ms)");
        }
    }
}
