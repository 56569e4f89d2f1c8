package p2pstream.peer.client;

import java.util.ArrayList;
import java.util.List;
import p2pstream.common.cli.Quantity;
import p2pstream.common.wire.Streams;

/**
 * What {@code peer-client TRACKER --list} prints: a table for people (human sizes, columns as wide as their widest
 * cell, so a long name shifts the columns after it instead of breaking them) or one JSON document for scripts.
 * Any thread (stateless).
 */
final class StreamListing {
    private static final String GAP = "  ";

    private StreamListing() {
    }

    /**
     * The table, a header line then one line per stream, each ending in a newline; a line saying so when there is none.
     */
    static String table(List<Streams.Entry> streams) {
        if (streams.isEmpty()) {
            return "no streams\n";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "SIZE", "PEERS", "CONTENT ID"});
        for (Streams.Entry e : streams) {
            // a private stream is listed only to the ids its owner allowed: say so
            rows.add(new String[] {e.isPrivate() ? e.name() + " (private)" : e.name(),
                    e.size() < 0 ? "live" : Quantity.bytesText(e.size()), peers(e),
                    e.contentId().hex()});
        }
        int nameWidth = width(rows, 0);
        int sizeWidth = width(rows, 1);
        int peersWidth = width(rows, 2);
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            pad(sb, r[0], nameWidth, false).append(GAP);
            pad(sb, r[1], sizeWidth, true).append(GAP);
            pad(sb, r[2], peersWidth, false).append(GAP).append(r[3]).append('\n');
        }
        return sb.toString();
    }

    /**
     * One JSON document: {@code {"streams": [...]}}, one stream per line with the fields {@code name},
     * {@code contentId}, {@code live}, {@code size} (bytes; -1 live), {@code chunkSize}, {@code peers} (holders of
     * any of it), {@code completePeers} (holders of all of it) and {@code private} (shown only to the peer ids its
     * owner allowed).
     */
    static String json(List<Streams.Entry> streams) {
        StringBuilder sb = new StringBuilder("{\n  \"streams\": [");
        for (int i = 0; i < streams.size(); i++) {
            Streams.Entry e = streams.get(i);
            sb.append(i == 0 ? "\n    " : ",\n    ").append("{\"name\": ");
            Json.quote(sb, e.name()).append(", \"contentId\": \"").append(e.contentId().hex()).append("\", \"live\": ")
                    .append(e.size() < 0).append(", \"size\": ").append(e.size() < 0 ? -1 : e.size())
                    .append(", \"chunkSize\": ").append(e.chunkSize()).append(", \"peers\": ").append(e.peers())
                    .append(", \"completePeers\": ").append(e.seeds()).append(", \"private\": ")
                    .append(e.isPrivate()).append('}');
        }
        return sb.append(streams.isEmpty() ? "]\n}\n" : "\n  ]\n}\n").toString();
    }

    private static String peers(Streams.Entry e) {
        // a live stream is never complete: how many hold it all means nothing there
        return e.size() < 0 ? Integer.toString(e.peers()) : e.peers() + " (" + e.seeds() + " complete)";
    }

    private static int width(List<String[]> rows, int column) {
        int w = 0;
        for (String[] r : rows) {
            w = Math.max(w, r[column].codePointCount(0, r[column].length()));
        }
        return w;
    }

    private static StringBuilder pad(StringBuilder sb, String cell, int width, boolean right) {
        String spaces = " ".repeat(width - cell.codePointCount(0, cell.length()));
        return right ? sb.append(spaces).append(cell) : sb.append(cell).append(spaces);
    }
}
