package p2pstream.peer.client.file;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Buffers a chunk's bytes are copied into as they arrive, while they are hashed and stored, then given back: as
 * many exist as chunks were ever held at once (in verification, or kept by a memory store), which the readers'
 * windows bound. Taken on the loop thread; given back from any thread (a memory store releases a chunk when the
 * last connection or reader holding it is done).
 */
final class ChunkBuffers {
    private final int chunkBytes;
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private int allocated;

    ChunkBuffers(int chunkBytes) {
        this.chunkBytes = chunkBytes;
    }

    ByteBuffer acquire() {
        ByteBuffer b = free.poll();
        if (b == null) {
            allocated++;
            b = ByteBuffer.allocateDirect(chunkBytes);
        }
        return b.clear();
    }

    void recycle(ByteBuffer b) {
        free.add(b);
    }

    /** Buffers made so far: the peak number in use at once. */
    int allocated() {
        return allocated;
    }
}
