package p2pstream.tracker;

import java.util.ArrayList;
import java.util.List;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;

/**
 * The private streams a logged-in dashboard user may see: those any device of the account owns or holds an unexpired
 * grant for, in name order, at most {@link #MAX_SHOWN}, found a step per registry turn ({@link NameScan}). Registry
 * loop only.
 */
final class GrantedScan extends NameScan {
    static final int MAX_SHOWN = 500;

    /** One private stream as the page shows it: who owns it, and which device of the account may read it. */
    record Row(String name, ContentId contentId, long size, PeerId owner, PeerId device) {
    }

    private final List<PeerId> devices;
    private final long nowMillis;
    private final List<Row> rows = new ArrayList<>();

    GrantedScan(List<PeerId> devices, long nowMillis) {
        super("");
        this.devices = List.copyOf(devices);
        this.nowMillis = nowMillis;
    }

    @Override
    boolean shows(StreamEntry s) {
        return s.access != null && reader(s) != null;
    }

    @Override
    boolean take(StreamEntry s) {
        rows.add(new Row(s.name, s.contentId, s.size, s.access.owner, reader(s)));
        return rows.size() < MAX_SHOWN;
    }

    List<Row> rows() {
        return rows;
    }

    private PeerId reader(StreamEntry s) {
        for (PeerId d : devices) {
            if (s.visibleTo(d, nowMillis)) {
                return d;
            }
        }
        return null;
    }
}
