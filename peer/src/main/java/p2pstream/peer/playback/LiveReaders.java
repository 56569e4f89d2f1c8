package p2pstream.peer.playback;

import java.util.ArrayList;
import java.util.List;
import p2pstream.peer.store.LiveChunk;

/**
 * Hands a live stream's chunks to any number of readers (HTTP responses of a gateway), each taking what it can: a
 * reader too far behind drops the chunk and resyncs on its own, never holding the others or the stream back. A
 * reader added later starts with the next chunk. Loop thread only.
 */
public final class LiveReaders implements LiveReader {
    private final List<LiveReader> readers = new ArrayList<>();
    private boolean finished;

    /** {@code r} takes the chunks from the next one on; at once told of the end if the stream is over. */
    public void add(LiveReader r) {
        if (finished) {
            r.finish();
        } else {
            readers.add(r);
        }
    }

    public void remove(LiveReader r) {
        readers.remove(r);
    }

    public int size() {
        return readers.size();
    }

    @Override
    public boolean offer(LiveChunk chunk, boolean measured, boolean resync) {
        for (LiveReader r : List.copyOf(readers)) {
            r.offer(chunk, measured, resync);
        }
        return true; // the stream goes on whatever one reader takes
    }

    @Override
    public void finish() {
        finished = true;
        for (LiveReader r : List.copyOf(readers)) {
            r.finish();
        }
        readers.clear();
    }
}
