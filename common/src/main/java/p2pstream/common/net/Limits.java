package p2pstream.common.net;

import p2pstream.common.wire.Wire;

/**
 * Per-connection bounds: the largest frame accepted, how long a connection may stay silent, how many frames
 * per second it may send, and the outbound watermarks for backpressure. Thread-safe (immutable).
 *
 * @param maxFrameBytes     largest accepted frame length (type + payload); larger ones close the connection
 * @param idleTimeoutMillis a connection that neither sends a byte nor takes one for this long is closed; handlers usually start
 *                          with a short pre-HELLO timeout and lengthen it after HELLO
 * @param maxFramesPerSecond a connection sending more frames in one second is closed with RATE_LIMITED
 * @param highWatermarkBytes above this many pending outbound bytes the connection stops reading
 * @param lowWatermarkBytes  at or below this many it reads again
 */
public record Limits(int maxFrameBytes, long idleTimeoutMillis, int maxFramesPerSecond,
                     int highWatermarkBytes, int lowWatermarkBytes) {

    /** Defaults for a control connection (tracker sessions, requests to a server). */
    public static final Limits CONTROL = new Limits(Wire.MAX_CONTROL_FRAME_BYTES, 10_000, 2_000,
            1024 * 1024, 256 * 1024);

    public Limits {
        if (maxFrameBytes < 1 || lowWatermarkBytes > highWatermarkBytes || idleTimeoutMillis <= 0 || maxFramesPerSecond <= 0) {
            throw new IllegalArgumentException("limits: " + maxFrameBytes + "/" + idleTimeoutMillis + "/" + maxFramesPerSecond
                    + "/" + highWatermarkBytes + "/" + lowWatermarkBytes + " (expected: positive, low <= high watermark)");
        }
    }

    public Limits withMaxFrameBytes(int bytes) {
        return new Limits(bytes, idleTimeoutMillis, maxFramesPerSecond, highWatermarkBytes, lowWatermarkBytes);
    }

    public Limits withIdleTimeoutMillis(long millis) {
        return new Limits(maxFrameBytes, millis, maxFramesPerSecond, highWatermarkBytes, lowWatermarkBytes);
    }

    public Limits withMaxFramesPerSecond(int frames) {
        return new Limits(maxFrameBytes, idleTimeoutMillis, frames, highWatermarkBytes, lowWatermarkBytes);
    }

    public Limits withWatermarks(int high, int low) {
        return new Limits(maxFrameBytes, idleTimeoutMillis, maxFramesPerSecond, high, low);
    }
}
