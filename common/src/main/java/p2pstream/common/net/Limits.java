package p2pstream.common.net;

import p2pstream.common.wire.Wire;

/**
 * Per-connection bounds: the largest frame accepted, how long a connection may stay silent, how long it may take
 * to say HELLO, how many frames per second it may send, and the outbound watermarks for backpressure.
 * Thread-safe (immutable).
 *
 * @param maxFrameBytes     largest accepted frame length (type + payload); larger ones close the connection
 * @param idleTimeoutMillis a connection that neither sends a byte nor takes one for this long is closed; handlers
 *                          usually start with a short pre-HELLO timeout and lengthen it after HELLO
 * @param maxFramesPerSecond a connection sending more frames in one second is closed with RATE_LIMITED
 * @param highWatermarkBytes above this many pending outbound bytes the connection stops reading
 * @param lowWatermarkBytes  at or below this many it reads again
 * @param helloTimeoutMillis a connection whose handler has not accepted a HELLO ({@link Connection#helloAccepted})
 *                           this long after it opened is closed with TIMEOUT, however many bytes it sends; 0 for no
 *                           such deadline (a connection we opened, whose peer must answer, not greet)
 */
public record Limits(int maxFrameBytes, long idleTimeoutMillis, int maxFramesPerSecond,
                     int highWatermarkBytes, int lowWatermarkBytes, long helloTimeoutMillis) {

    /** Defaults for a control connection (tracker sessions, requests to a server). */
    public static final Limits CONTROL = new Limits(Wire.MAX_CONTROL_FRAME_BYTES, 10_000, 2_000,
            1024 * 1024, 256 * 1024, 0);

    public Limits {
        if (maxFrameBytes < 1 || lowWatermarkBytes > highWatermarkBytes || idleTimeoutMillis <= 0
                || maxFramesPerSecond <= 0 || helloTimeoutMillis < 0) {
            throw new IllegalArgumentException("limits: " + maxFrameBytes + "/" + idleTimeoutMillis + "/"
                    + maxFramesPerSecond + "/" + highWatermarkBytes + "/" + lowWatermarkBytes + "/" + helloTimeoutMillis
                    + " (expected: positive, low <= high watermark, hello timeout >= 0)");
        }
    }

    public Limits withMaxFrameBytes(int bytes) {
        return new Limits(bytes, idleTimeoutMillis, maxFramesPerSecond, highWatermarkBytes, lowWatermarkBytes,
                helloTimeoutMillis);
    }

    public Limits withIdleTimeoutMillis(long millis) {
        return new Limits(maxFrameBytes, millis, maxFramesPerSecond, highWatermarkBytes, lowWatermarkBytes,
                helloTimeoutMillis);
    }

    public Limits withMaxFramesPerSecond(int frames) {
        return new Limits(maxFrameBytes, idleTimeoutMillis, frames, highWatermarkBytes, lowWatermarkBytes,
                helloTimeoutMillis);
    }

    public Limits withWatermarks(int high, int low) {
        return new Limits(maxFrameBytes, idleTimeoutMillis, maxFramesPerSecond, high, low, helloTimeoutMillis);
    }

    /** With a deadline for HELLO, counted from the connection's opening (0: none). */
    public Limits withHelloTimeoutMillis(long millis) {
        return new Limits(maxFrameBytes, idleTimeoutMillis, maxFramesPerSecond, highWatermarkBytes, lowWatermarkBytes,
                millis);
    }
}
