package p2pstream.common.access;

/**
 * How often one connection takes a GRANT mid-connection (PROTOCOL.md section 3): two at once, then one a second on
 * average. A sender that keeps to one a second is never refused, however the network bunches its frames, and a
 * flooder gets at most two signature checks before RATE_LIMITED. Its connection's loop thread only.
 */
public final class GrantPace {
    /** Grants taken at once. */
    public static final int BURST = 2;
    /** One more grant may come this long after the last taken. */
    public static final long INTERVAL_NANOS = 1_000_000_000L;

    /** The time the next grant is due at the sustained pace (a generic cell rate: nanos); none taken yet: unset. */
    private long dueNanos;
    private boolean any;

    /** Whether a grant arriving at {@code nowNanos} is taken (and counted); false: refuse it unread. */
    public boolean take(long nowNanos) {
        if (!any) {
            any = true;
            dueNanos = nowNanos + INTERVAL_NANOS;
            return true;
        }
        if (nowNanos - (dueNanos - (BURST - 1) * INTERVAL_NANOS) < 0) {
            return false;
        }
        dueNanos = Math.max(dueNanos, nowNanos) + INTERVAL_NANOS;
        return true;
    }
}
