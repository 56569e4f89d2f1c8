package p2pstream.tracker;

import java.util.ArrayList;
import java.util.List;
import p2pstream.common.wire.ContentId;

/**
 * The streams the dashboard and {@code /api/status} show: those whose name contains the page's filter, in name
 * order, the first {@code max} of them, and how many match in all (live ones among them), found a step per
 * registry turn ({@link NameScan}). Registry loop only.
 */
final class StreamTableScan extends NameScan {
    /** A page shows at most this many streams: it stays a few hundred KiB whatever the registry holds. */
    static final int MAX_SHOWN = 500;

    /** One stream as shown: holders complete and partial, viewers among them, distinct hosts. */
    record Row(String name, ContentId contentId, long size, int complete, int partial, int viewers, int hosts) {
        boolean live() {
            return size < 0;
        }
    }

    private final String filter;
    private final int max;
    private final List<Row> rows = new ArrayList<>();
    private long matching;
    private long liveMatching;

    StreamTableScan(String filter, int max) {
        super(filter);
        this.filter = filter;
        this.max = max;
    }

    @Override
    boolean take(StreamEntry s) {
        matching++;
        if (s.size < 0) {
            liveMatching++;
        }
        if (rows.size() < max) {
            rows.add(new Row(s.name, s.contentId, s.size, s.seedCount(), s.holderCount() - s.seedCount(), s.viewers,
                    s.hostHolders));
        }
        return true; // on to the end: the page says how many match
    }

    String filter() {
        return filter;
    }

    List<Row> rows() {
        return rows;
    }

    long matching() {
        return matching;
    }

    long liveMatching() {
        return liveMatching;
    }
}
