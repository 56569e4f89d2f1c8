package p2pstream.peer.client.file;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Buffers a chunk's bytes are copied into as they arrive, while they are hashed and stored, then given back: as
 * many exist as chunks were ever in verification at once, which the readers' windows bound. Loop thread only.
 */
final class ChunkBuffers {
    private final int chunkBytes;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
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
        free.push(b);
    }

    /** Buffers made so far: the peak number in use at once. */
    int allocated() {
        return allocated;
    }
}
