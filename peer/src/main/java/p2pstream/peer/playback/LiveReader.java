package p2pstream.peer.playback;

import p2pstream.peer.store.LiveChunk;

/**
 * A consumer of a live stream's chunks in the order its playhead hands them out: the stdout or file player, an
 * HTTP response. Called on the stream's loop thread; an implementation that writes slowly queues and does its
 * writing elsewhere.
 */
public interface LiveReader {
    /**
     * Takes a chunk; false when this reader is too far behind to take it (the chunk is skipped).
     * {@code measured}: count its latency. {@code resync}: it does not follow what was handed before (a late join,
     * a skip), so MPEG-TS output restarts at the next key frame.
     */
    boolean offer(LiveChunk chunk, boolean measured, boolean resync);

    /** No more chunks: the stream ended. */
    void finish();
}
