package p2pstream.common.net;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import p2pstream.common.noise.Records;

/**
 * One event loop's spare direct buffers for its connections' secure transports, of two sizes: one record's, and a
 * batch of {@link #RECORDS_PER_BATCH} records' for bulk transfers (a file's chunks sealed and written, or read and
 * opened, several records to a system call). A connection holds one only while bytes wait in it (a record cut by
 * the socket, sealed records the socket has not all taken), so ten thousand quiet tracker sessions hold none, and
 * takes a batch only while it moves bulk: one sending a byte at a time never fills a record's buffer, so never gets
 * a batch's. Loop thread only.
 */
final class RecordBuffers {
    /** Spare buffers of each size kept at most; more are left to the garbage collector. */
    static final int MAX_SPARE = 64;
    static final int MAX_SPARE_BATCHES = 16;
    static final int BUFFER_BYTES = Records.MAX_WIRE_BYTES;
    /**
     * Records per bulk read and write: 4 (64 KiB) takes the system calls of a 1 GiB transfer from about 131,000 to
     * about 33,000 a side (a read, or a file read and a write, per batch instead of per record).
     */
    static final int RECORDS_PER_BATCH = 4;
    static final int BATCH_BYTES = RECORDS_PER_BATCH * Records.MAX_WIRE_BYTES;

    private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> spareBatches = new ArrayDeque<>();
    private long allocated;
    private long batchesAllocated;

    /** A cleared buffer of {@link #BUFFER_BYTES}. */
    ByteBuffer acquire() {
        return take(spare, BUFFER_BYTES);
    }

    /** A cleared buffer of {@link #BATCH_BYTES}. */
    ByteBuffer acquireBatch() {
        if (spareBatches.isEmpty()) {
            batchesAllocated++;
        }
        return take(spareBatches, BATCH_BYTES);
    }

    private ByteBuffer take(ArrayDeque<ByteBuffer> from, int bytes) {
        ByteBuffer b = from.poll();
        if (b == null) {
            allocated++;
            return ByteBuffer.allocateDirect(bytes);
        }
        return b.clear();
    }

    /** Gives {@code b} back (either size); it must not be used after. */
    void release(ByteBuffer b) {
        if (b.capacity() == BATCH_BYTES) {
            if (spareBatches.size() < MAX_SPARE_BATCHES) {
                spareBatches.push(b);
            }
        } else if (spare.size() < MAX_SPARE) {
            spare.push(b);
        }
    }

    /** Buffers made so far: what the pool saved shows as this staying small. */
    long allocated() {
        return allocated;
    }

    /** Of {@link #allocated}, the batches' buffers. */
    long batchesAllocated() {
        return batchesAllocated;
    }

    int spareCount() {
        return spare.size() + spareBatches.size();
    }
}
