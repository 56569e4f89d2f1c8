package p2pstream.tracker;

import java.util.ArrayList;
import java.util.List;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Wire;

/**
 * One LIST: the streams whose name contains its filter, by name, as many as its limit asks and one control frame
 * holds, found over as many registry turns as it needs ({@link NameScan}). Registry loop only.
 */
final class ListScan extends NameScan {
    private final int max;
    private final List<Streams.Entry> found = new ArrayList<>();
    private int bytesLeft = Wire.MAX_CONTROL_FRAME_BYTES - Frames.HEADER_BYTES - 2;

    /** The session proved to be this (null: none, or in plaintext) sees the private streams it may read. */
    private final PeerId asker;
    private final long nowMillis;

    ListScan(String filter, int limit) {
        this(filter, limit, null, 0);
    }

    /** A LIST by the session proved to be {@code asker} (null: none), grants judged at {@code nowMillis}. */
    ListScan(String filter, int limit, PeerId asker, long nowMillis) {
        super(filter);
        this.max = Math.min(limit, Wire.MAX_STREAMS_PER_LIST);
        this.asker = asker;
        this.nowMillis = nowMillis;
    }

    @Override
    boolean shows(StreamEntry s) {
        return s.visibleTo(asker, nowMillis);
    }

    @Override
    boolean take(StreamEntry s) {
        Streams.Entry e = new Streams.Entry(s.contentId, s.name, s.size, s.chunkSize, s.holderCount(), s.seedCount(),
                s.access != null);
        bytesLeft -= Streams.entryBytes(e);
        if (found.size() >= max || bytesLeft < 0) {
            return false;
        }
        found.add(e);
        return true;
    }

    Streams answer() {
        return new Streams(found);
    }
}
