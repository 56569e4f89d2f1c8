package p2pstream.peer.store;

import java.nio.ByteBuffer;
import p2pstream.common.wire.LiveChunkHeader;

/**
 * One verified (or self-published) live chunk held in memory: its signed head and its bytes. Thread-safe
 * (immutable; {@link #bytes()} hands out independent read-only views).
 */
public final class LiveChunk {
    private final LiveChunkHeader header;
    private final ByteBuffer bytes;
    /** The LIVE_CHUNK frame head, encoded once: a relay sends it to every peer that asks. */
    private final ByteBuffer frameHead;

    public LiveChunk(LiveChunkHeader header, ByteBuffer bytes) {
        this.header = header;
        this.bytes = bytes.asReadOnlyBuffer();
        this.frameHead = header.encode(this.bytes.remaining()).asReadOnlyBuffer();
    }

    /** The LIVE_CHUNK frame head for these bytes, a view with its own position for one writer. */
    public ByteBuffer frameHead() {
        return frameHead.duplicate();
    }

    public int index() {
        return header.index();
    }

    public long publishMicros() {
        return header.publishMicros();
    }

    public LiveChunkHeader header() {
        return header;
    }

    public int length() {
        return bytes.remaining();
    }

    /** A view of the chunk's bytes with its own position, for one writer. */
    public ByteBuffer bytes() {
        return bytes.duplicate();
    }
}
