package p2pstream.peer.http;

import static p2pstream.common.http.HtmlPage.count;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import p2pstream.common.cli.Quantity;

/**
 * The watch page's figures of a stream as people read them, by the id of the element each fills: written into the
 * page when it is made and sent again in {@code /api/streams/NAME} under {@code "shown"}, so the page's script only
 * copies text into elements and the wording lives in one place. Stateless; any thread.
 */
final class FigureTexts {
    /** The tiles of the watch page, in order: ids of their value elements ({@code id-detail}: their detail). */
    static final String[] FILE_TILES = {"rate", "peers", "here", "sent", "stalls", "rejected"};
    static final String[] LIVE_TILES = {"rate", "peers", "latency", "sent", "skipped", "rejected"};

    private FigureTexts() {
    }

    /** Each tile's label, by id. */
    static String label(String id) {
        return switch (id) {
            case "rate" -> "from peers";
            case "peers" -> "peers";
            case "here" -> "here";
            case "latency" -> "latency";
            case "sent" -> "to players";
            case "stalls" -> "stalls";
            case "skipped" -> "skipped";
            case "rejected" -> "rejected chunks";
            default -> throw new IllegalArgumentException("figure: " + id + " (expected: one of the tiles)");
        };
    }

    /** Every figure's text, by element id: each tile's value and its {@code -detail}, and the cache bar's text. */
    static Map<String, String> of(StreamState s) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("rate", rate(s.receivedPerSecond()));
        t.put("rate-detail", Quantity.bytesText(s.receivedBytes()) + " fetched and verified");
        t.put("peers", count(s.peers()));
        t.put("peers-detail", s.holders() < 0 ? "fetching from now" : count(s.holders()) + " hold it");
        if (s.live()) {
            long ms = s.latencyMillis();
            t.put("latency", ms < 0 ? "–" : ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0));
            t.put("latency-detail", "from publishing to the gateway");
            t.put("skipped", count(s.skipped()));
            t.put("skipped-detail", "chunks that missed their moment");
        } else {
            t.put("here", String.format(Locale.ROOT, "%.0f%%", 100 * s.hereFraction()));
            t.put("here-detail", Quantity.bytesText(s.hereBytes()) + " of " + Quantity.bytesText(s.size()));
            t.put("stalls", count(s.stalls()));
            t.put("stalls-detail", "waits for a chunk not here yet");
        }
        t.put("sent", rate(s.sentPerSecond()));
        t.put("sent-detail", Quantity.bytesText(s.sentBytes()) + " sent, " + count(s.readers())
                + (s.readers() == 1 ? " reader" : " readers"));
        t.put("rejected", count(s.rejected()));
        t.put("rejected-detail", s.live() ? "bad signatures, replays" : "bad SHA-256");
        if (!s.live()) {
            int runs = s.runs().length / 2;
            t.put("buffered-detail", !s.open() ? "not open in this gateway" : s.hereChunks() + " of " + s.chunks()
                    + " chunks here, in " + runs + (runs == 1 ? " run" : " runs")
                    + (runs == StreamState.MAX_RUNS ? " or more" : ""));
        }
        return t;
    }

    private static String rate(double bytesPerSecond) {
        return Quantity.bytesText(Math.round(bytesPerSecond)) + "/s";
    }
}
