package p2pstream.common.net;

import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ProtocolException;

/**
 * At most {@code maxFramesPerSecond} frames received in each one-second window of a connection, windows counted
 * from the first frame after the last one ended; one frame more is RATE_LIMITED. Time comes from the caller (the
 * loop's clock, read once per socket read). Loop thread only.
 */
final class FrameRateLimit {
    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final int maxFramesPerSecond;
    private long windowStartNanos;
    private int framesInWindow;

    FrameRateLimit(int maxFramesPerSecond, long nowNanos) {
        this.maxFramesPerSecond = maxFramesPerSecond;
        this.windowStartNanos = nowNanos;
    }

    /** Counts one frame received at {@code nowNanos}; throws RATE_LIMITED when it is one too many. */
    void onFrame(long nowNanos) throws ProtocolException {
        if (nowNanos - windowStartNanos >= WINDOW_NANOS) {
            windowStartNanos = nowNanos;
            framesInWindow = 0;
        }
        if (++framesInWindow > maxFramesPerSecond) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED,
                    "frames per second: " + framesInWindow + " (expected: <= " + maxFramesPerSecond + ")");
        }
    }
}
