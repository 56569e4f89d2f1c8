package p2pstream.common.access;

import p2pstream.common.net.Clock;

/**
 * How many grant signatures a tracker session may have checked: an Ed25519 check in the JDK costs a millisecond or
 * more, a thousand times what the 154 bytes asking for it cost to send. The tracker refuses a session that runs past
 * {@link #forTracker}'s budget; a peer paces its PRIVATE_ANNOUNCEs within {@link #forPeer}'s, which is smaller, so an
 * honest owner is never refused. A token bucket on the caller's clock. One thread (a session's or a client's loop).
 */
public final class GrantBudget {
    /** Grants a tracker checks per session and second, after a burst of {@link #TRACKER_BURST}. */
    public static final int TRACKER_PER_SECOND = 64;
    /** One full announcement and half another. */
    public static final int TRACKER_BURST = PrivateAnnounce.MAX_GRANTS * 3 / 2;
    /** What a peer sends at most: under the tracker's rate, with a burst of one full announcement. */
    static final int PEER_PER_SECOND = 48;

    private final Clock clock;
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long lastNanos;

    private GrantBudget(Clock clock, int perSecond, int burst) {
        this.clock = clock;
        this.perNano = perSecond / 1e9;
        this.capacity = burst;
        this.tokens = burst;
        this.lastNanos = clock.nanoTime();
    }

    /** What a tracker allows one session. */
    public static GrantBudget forTracker(Clock clock) {
        return new GrantBudget(clock, TRACKER_PER_SECOND, TRACKER_BURST);
    }

    /** What a peer allows itself toward the tracker. */
    public static GrantBudget forPeer(Clock clock) {
        return new GrantBudget(clock, PEER_PER_SECOND, PrivateAnnounce.MAX_GRANTS);
    }

    /** Whether {@code grants} checks are left now; takes them if so. */
    public boolean take(int grants) {
        refill();
        if (tokens < grants) {
            return false;
        }
        tokens -= grants;
        return true;
    }

    /** Takes {@code grants} checks whether or not they are left (a frame already read); the budget may go negative. */
    public void spend(int grants) {
        refill();
        tokens -= grants;
    }

    /** Whether any check is left now. */
    public boolean hasRoom() {
        refill();
        return tokens > 0;
    }

    /** Milliseconds until {@code grants} checks are left (at least 1). */
    public long millisUntil(int grants) {
        refill();
        return Math.max(1, (long) Math.ceil((Math.min(grants, capacity) - tokens) / perNano / 1e6));
    }

    private void refill() {
        long now = clock.nanoTime();
        tokens = Math.min(capacity, tokens + (now - lastNanos) * perNano);
        lastNanos = now;
    }
}
