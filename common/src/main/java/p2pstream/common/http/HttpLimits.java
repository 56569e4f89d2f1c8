package p2pstream.common.http;

import p2pstream.common.net.Limits;

/**
 * Bounds of an {@link HttpServer}: connections in all and from one address (beyond them a client gets a 503), how
 * long a request head may take from its first byte (then 408 and close), how long a kept-alive connection may wait
 * for its next request, how long a connection may stay silent both ways mid-response, and the outbound watermarks
 * behind {@link HttpExchange#isWritable}. The sizes of a head are fixed ({@link RequestParser}). Thread-safe
 * (immutable).
 */
public record HttpLimits(int maxConnections, int maxConnectionsPerAddress, long headTimeoutMillis,
                         long keepAliveMillis, long idleTimeoutMillis, int highWatermarkBytes, int lowWatermarkBytes) {
    public static final int MAX_CONNECTIONS = 1024;
    public static final int MAX_CONNECTIONS_PER_ADDRESS = 256;
    /** A slowloris sending a byte now and then never completes a head: it is closed this long after its first byte. */
    public static final long HEAD_TIMEOUT_MILLIS = 10_000;
    public static final long KEEP_ALIVE_MILLIS = 15_000;
    /** Longer than a swarm usually takes to bring a chunk a parked response waits for. */
    public static final long IDLE_TIMEOUT_MILLIS = 60_000;
    public static final int HIGH_WATERMARK_BYTES = 1024 * 1024;
    public static final int LOW_WATERMARK_BYTES = 256 * 1024;

    public static final HttpLimits DEFAULTS = new HttpLimits(MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS,
            HEAD_TIMEOUT_MILLIS, KEEP_ALIVE_MILLIS, IDLE_TIMEOUT_MILLIS, HIGH_WATERMARK_BYTES, LOW_WATERMARK_BYTES);

    public HttpLimits {
        if (maxConnections < 1 || maxConnectionsPerAddress < 1 || headTimeoutMillis <= 0 || keepAliveMillis <= 0
                || idleTimeoutMillis <= 0 || lowWatermarkBytes < 0 || lowWatermarkBytes > highWatermarkBytes) {
            throw new IllegalArgumentException("http limits: connections " + maxConnections + "/"
                    + maxConnectionsPerAddress + ", timeouts " + headTimeoutMillis + "/" + keepAliveMillis + "/"
                    + idleTimeoutMillis + " ms, watermarks " + highWatermarkBytes + "/" + lowWatermarkBytes
                    + " (expected: positive, low <= high watermark)");
        }
    }

    public HttpLimits withConnections(int max, int perAddress) {
        return new HttpLimits(max, perAddress, headTimeoutMillis, keepAliveMillis, idleTimeoutMillis,
                highWatermarkBytes, lowWatermarkBytes);
    }

    public HttpLimits withHeadTimeoutMillis(long millis) {
        return new HttpLimits(maxConnections, maxConnectionsPerAddress, millis, keepAliveMillis, idleTimeoutMillis,
                highWatermarkBytes, lowWatermarkBytes);
    }

    public HttpLimits withKeepAliveMillis(long millis) {
        return new HttpLimits(maxConnections, maxConnectionsPerAddress, headTimeoutMillis, millis, idleTimeoutMillis,
                highWatermarkBytes, lowWatermarkBytes);
    }

    public HttpLimits withIdleTimeoutMillis(long millis) {
        return new HttpLimits(maxConnections, maxConnectionsPerAddress, headTimeoutMillis, keepAliveMillis, millis,
                highWatermarkBytes, lowWatermarkBytes);
    }

    public HttpLimits withWatermarks(int high, int low) {
        return new HttpLimits(maxConnections, maxConnectionsPerAddress, headTimeoutMillis, keepAliveMillis,
                idleTimeoutMillis, high, low);
    }

    /** The limits of each connection: a head and a form's read buffer at most, no frame rate, no HELLO deadline. */
    Limits connectionLimits() {
        return new Limits(RequestParser.MAX_HEAD_BYTES + RequestParser.MAX_BODY_BYTES, idleTimeoutMillis,
                Integer.MAX_VALUE, highWatermarkBytes, lowWatermarkBytes, 0);
    }
}
