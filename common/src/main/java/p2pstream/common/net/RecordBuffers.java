package p2pstream.common.net;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import p2pstream.common.noise.Records;

/**
 * One event loop's spare direct buffers of a record's size for its connections' secure transports: a connection
 * holds one only while bytes wait in it (a record cut by the socket, a sealed record the socket has not all taken),
 * so ten thousand quiet tracker sessions hold none, and a busy transfer keeps its own. Loop thread only.
 */
final class RecordBuffers {
    /** Spare buffers kept at most; more are left to the garbage collector. */
    static final int MAX_SPARE = 64;
    static final int BUFFER_BYTES = Records.MAX_WIRE_BYTES;

    private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();
    private long allocated;

    /** A cleared buffer of {@link #BUFFER_BYTES}. */
    ByteBuffer acquire() {
        ByteBuffer b = spare.poll();
        if (b == null) {
            allocated++;
            return ByteBuffer.allocateDirect(BUFFER_BYTES);
        }
        return b.clear();
    }

    /** Gives {@code b} back; it must not be used after. */
    void release(ByteBuffer b) {
        if (spare.size() < MAX_SPARE) {
            spare.push(b);
        }
    }

    /** Buffers made so far: what the pool saved shows as this staying small. */
    long allocated() {
        return allocated;
    }

    int spareCount() {
        return spare.size();
    }
}
