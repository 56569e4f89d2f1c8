package p2pstream.peer.playback;

import java.nio.ByteBuffer;

/**
 * Where one live reader's output may go on after a late start or a skipped chunk: an MPEG-TS stream resumes at
 * the next video key frame with the stream's PAT and PMT in front, so what the reader writes always decodes; any
 * other stream goes on as it is. One reader's thread (or the loop, for a reader on it).
 */
public final class TsResync {
    /** Chunks searched for a key frame before giving up: a stream that never marks one would otherwise go silent. */
    static final int MAX_RESYNC_CHUNKS = 64;

    private final TransportStream ts = new TransportStream();
    private boolean resyncing;
    private int resyncChunks;
    private long skippedBytes;

    /**
     * What of {@code chunk} to write: null to write nothing yet (still looking for a key frame), else the bytes
     * from where the output may go on, with the tables in front when it resumes after a resync (one buffer, or
     * two: tables then bytes). {@code resync}: the chunk does not follow what was written before.
     */
    public ByteBuffer[] next(ByteBuffer chunk, boolean resync) {
        ByteBuffer b = chunk.duplicate();
        boolean isTs = TransportStream.isTransportStream(b);
        if (isTs) {
            ts.observe(b);
        }
        if (resync && !resyncing) {
            resyncing = true;
            resyncChunks = 0;
        }
        if (!resyncing) {
            return new ByteBuffer[] {b};
        }
        if (!isTs || ++resyncChunks > MAX_RESYNC_CHUNKS) {
            resyncing = false; // not MPEG-TS, or no key frame marked: the bytes go out as they are
            return new ByteBuffer[] {b};
        }
        int start = ts.startOffset(b);
        if (start < 0) {
            skippedBytes += b.remaining();
            return null;
        }
        resyncing = false;
        skippedBytes += start;
        b.position(b.position() + start);
        return new ByteBuffer[] {ts.tables(), b};
    }

    /** Bytes left out so that output starts (and restarts after a skip) on a key frame. */
    public long skippedBytes() {
        return skippedBytes;
    }
}
