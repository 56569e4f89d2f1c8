package p2pstream.peer.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import p2pstream.common.data.Data;

/**
 * Where a file stream's verified chunks stay for its readers and the peers it serves: a file ({@link ChunkStore},
 * the output file or the gateway's cache, resumable) or memory ({@link MemoryStore}, a bounded window for a viewer
 * writing into a pipe). {@link #write} from the verifier threads; the rest from any thread.
 */
public sealed interface Store extends AutoCloseable permits ChunkStore, MemoryStore {
    Manifest manifest();

    /**
     * Keeps verified chunk {@code index}. A store that {@link #retains} keeps {@code chunk} itself, which the caller
     * must then never change; any other is done with it on return.
     */
    void write(int index, ByteBuffer chunk) throws IOException;

    /** True when {@link #write} keeps the caller's buffer rather than copying it out. */
    boolean retains();

    /**
     * Chunk {@code index}'s bytes to send or play, or null when the store no longer holds them: a file region, or
     * a view of the bytes in memory. Whoever takes it releases it ({@link Data#release}; a connection does so
     * when it has written it).
     */
    Data data(int index);

    /**
     * Bytes {@code [from, from + length)} of chunk {@code index} (offsets within the chunk), as {@link #data}: a
     * response to a range request starts and ends inside chunks.
     */
    Data data(int index, int from, int length);

    /** Copies chunk {@code index} into {@code dst} (cleared first) and flips it; false when it is not held. */
    boolean read(int index, ByteBuffer dst) throws IOException;

    /** Chunks below {@code index} are needed by no reader and no peer any more (a store may drop them). */
    default void releaseBelow(int index) {
    }

    @Override
    void close() throws IOException;
}
