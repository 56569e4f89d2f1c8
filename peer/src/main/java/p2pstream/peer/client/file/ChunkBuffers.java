package p2pstream.peer.client.file;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.Frames;

/**
 * Buffers a chunk's bytes arrive in (a CHUNK payload read straight into one, its index first, or copied from a
 * read buffer), stay in while they are hashed and stored, then are given back: as many exist as chunks were ever
 * held at once (arriving, in verification, or kept by a memory store), which the readers' windows bound. Taken on
 * the loop thread; given back from any thread (a memory store releases a chunk when the last connection or reader
 * holding it is done).
 */
final class ChunkBuffers {
    /** A CHUNK payload's index, before the chunk's bytes. */
    static final int INDEX_BYTES = ChunkHeader.BYTES - Frames.HEADER_BYTES;

    private final int chunkBytes;
    /** Guarded by itself: an array, not linked nodes, so giving a buffer back allocates nothing. */
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private int allocated;

    ChunkBuffers(int chunkBytes) {
        this.chunkBytes = chunkBytes;
    }

    ByteBuffer acquire() {
        ByteBuffer b;
        synchronized (free) {
            b = free.poll();
        }
        if (b == null) {
            allocated++;
            b = ByteBuffer.allocateDirect(capacity());
        }
        return b.clear();
    }

    void recycle(ByteBuffer b) {
        synchronized (free) {
            free.add(b);
        }
    }

    /** Bytes each buffer holds: a whole CHUNK payload of the stream's chunk size. */
    int capacity() {
        return INDEX_BYTES + chunkBytes;
    }

    /** Buffers made so far: the peak number in use at once. */
    int allocated() {
        return allocated;
    }
}
