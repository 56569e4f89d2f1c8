package p2pstream.common.net;

/**
 * A byte-rate cap shared by every connection of a process (upload limit): connections take tokens before
 * writing and give back what the socket did not take. Thread-safe (all loops of a group share one).
 */
public final class TokenBucket {
    private final long bytesPerSecond;
    private final long capacityBytes;
    private final Clock clock;
    private double tokens;
    private long lastRefillNanos;

    public TokenBucket(long bytesPerSecond, Clock clock) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("rate: " + bytesPerSecond + " bytes/s (expected: > 0)");
        }
        this.bytesPerSecond = bytesPerSecond;
        // 50 ms of burst keeps the cap accurate over any second yet lets a chunk go out in a few grants
        this.capacityBytes = Math.max(64 * 1024, bytesPerSecond / 20);
        this.clock = clock;
        this.lastRefillNanos = clock.nanoTime();
        this.tokens = capacityBytes;
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Takes up to {@code wanted} bytes of budget; returns what was granted, possibly 0. */
    public synchronized long take(long wanted) {
        refill();
        long granted = (long) Math.min(tokens, wanted);
        tokens -= granted;
        return Math.max(granted, 0);
    }

    /** Returns budget that was granted but not used. */
    public synchronized void giveBack(long bytes) {
        tokens = Math.min(capacityBytes, tokens + bytes);
    }

    /** Nanoseconds until {@code bytes} of budget are expected to be there. */
    public synchronized long nanosUntil(long bytes) {
        refill();
        double missing = Math.min(bytes, capacityBytes) - tokens;
        return missing <= 0 ? 0 : (long) (missing * 1e9 / bytesPerSecond);
    }

    private void refill() {
        long now = clock.nanoTime();
        long elapsed = now - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacityBytes, tokens + elapsed * (double) bytesPerSecond / 1e9);
            lastRefillNanos = now;
        }
    }
}
