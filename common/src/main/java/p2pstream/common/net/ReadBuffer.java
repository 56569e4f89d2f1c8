package p2pstream.common.net;

import java.nio.ByteBuffer;

/**
 * A connection's direct read buffer, sized by the bytes that arrive and not by the lengths announced: it starts
 * small (large for a connection that receives bulk frames), doubles towards the next unit only while that unit's
 * bytes fill it, shrinks back once emptied, and counts its capacity in its loop's total. Loop thread only.
 */
final class ReadBuffer {
    /**
     * Control frames are small: a connection starts with a small buffer and grows it (doubling) only as the bytes
     * of a larger frame arrive, never on the length prefix alone: 5,000 connections each announcing a 64 KiB
     * frame then cost 5,000 small buffers, not 320 MiB of direct memory.
     */
    static final int INITIAL_BYTES = 2 * 1024;
    /** Connections that receive bulk frames read in large gulps: fewer system calls per byte. */
    private static final int BULK_BYTES = 1024 * 1024;

    private final EventLoop loop;
    private final int initialBytes;
    private ByteBuffer bytes;

    /** A buffer for units (frames) of at most {@code maxUnitBytes} after a 4-byte length prefix. */
    ReadBuffer(EventLoop loop, int maxUnitBytes) {
        this.loop = loop;
        int initial = maxUnitBytes > BULK_BYTES ? BULK_BYTES : INITIAL_BYTES;
        this.initialBytes = Math.min(initial, maxUnitBytes + 4);
        this.bytes = allocate(initialBytes);
    }

    /** The buffer now: in write mode between reads; {@link #fit} may replace it. */
    ByteBuffer bytes() {
        return bytes;
    }

    /**
     * In read mode, once the inbound took what it could: doubles the buffer, up to {@code needBytes} (the next
     * unit's size, or -1 when not known), when its bytes fill it; shrinks a grown control buffer back once empty.
     */
    void fit(int needBytes) {
        int capacity = bytes.capacity();
        if (needBytes > capacity && bytes.remaining() == capacity) {
            replace((int) Math.min(needBytes, 2L * capacity));
        } else if (!bytes.hasRemaining() && capacity > initialBytes && initialBytes < BULK_BYTES) {
            replace(initialBytes);
        }
    }

    /** Gives the direct memory back: a closed connection someone still references (a timer, a handler) holds none. */
    void release() {
        loop.readBufferBytes(-bytes.capacity());
        bytes = ByteBuffer.allocate(0);
    }

    private void replace(int capacity) {
        ByteBuffer next = allocate(capacity);
        next.put(bytes);
        next.flip();
        loop.readBufferBytes(-bytes.capacity());
        bytes = next;
    }

    private ByteBuffer allocate(int capacity) {
        ByteBuffer b = ByteBuffer.allocateDirect(capacity);
        loop.readBufferBytes(capacity);
        return b;
    }
}
