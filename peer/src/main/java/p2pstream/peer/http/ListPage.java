package p2pstream.peer.http;

import static p2pstream.common.http.HtmlPage.count;

import java.util.List;
import java.util.Locale;
import p2pstream.common.cli.Quantity;
import p2pstream.common.http.HtmlPage;
import p2pstream.peer.swarm.Traffic;

/**
 * The gateway's front page ({@code /}): what it does now (streams open, readers, bytes in and out, the cache against
 * its size), then the streams the tracker knows, as a filter picks them: name (a link to its watch page), size or
 * live, holders, and how much of it is here; then the peers it exchanged bytes with, and how it reached each.
 * Stateless; any thread.
 */
final class ListPage {
    private ListPage() {
    }

    /** Figures of the gateway as a whole, taken on its loop. */
    record Totals(String address, int fileStreams, int liveStreams, int readers, long receivedBytes,
                  long httpSentBytes, int peers, long heldBytes, long reservedBytes, long limitBytes,
                  List<Traffic.PeerBytes> peerRows) {
    }

    /** Peers listed at most: the first that exchanged bytes with the gateway. */
    static final int MAX_PEERS_SHOWN = 50;

    static String html(Totals t, List<StreamState> rows, String filter, boolean limited) {
        HtmlPage page = new HtmlPage("p2pstream gateway", t.address());
        page.tile("streams open", count(t.fileStreams() + t.liveStreams()), count(t.fileStreams())
                        + (t.fileStreams() == 1 ? " file, " : " files, ") + count(t.liveStreams()) + " live")
                .tile("readers", count(t.readers()), "responses reading a stream")
                .tile("from peers", Quantity.bytesText(t.receivedBytes()), count(t.peers())
                        + (t.peers() == 1 ? " peer now" : " peers now"))
                .tile("to players", Quantity.bytesText(t.httpSentBytes()), "over HTTP");
        page.meter("cache", t.limitBytes() == 0 ? 0 : (double) t.reservedBytes() / t.limitBytes(),
                Quantity.bytesText(t.heldBytes()) + " here of " + Quantity.bytesText(t.reservedBytes())
                        + " open, " + Quantity.bytesText(t.limitBytes()) + " at most (--cache-size): streams no"
                        + " player reads are evicted, least recently used first");
        page.heading("Streams");
        page.filter(filter, "filter by name", limited ? "the first " + count(rows.size()) + " streams"
                + (filter.isEmpty() ? "" : " whose name contains \"" + filter + "\"")
                : HtmlPage.shown(rows.size(), rows.size(), "stream", filter));
        HtmlPage.Table table = page.table("name", "#size", "#holders", "#here", "~content id");
        for (StreamState s : rows) {
            table.linkRow(StreamPaths.of(s.name(), s.contentId()).watch(), s.name(),
                    s.live() ? "live" : Quantity.bytesText(s.size()), holders(s), here(s),
                    s.contentId().shortHex());
        }
        table.end(filter.isEmpty() ? "the tracker knows no stream yet" : "no stream name contains this");
        page.heading("Peers");
        HtmlPage.Table peers = page.table("address", "route", "#received", "#sent");
        for (Traffic.PeerBytes p : t.peerRows().subList(0, Math.min(MAX_PEERS_SHOWN, t.peerRows().size()))) {
            peers.row(p.address(), p.route() == null ? "fetched from us" : p.route(),
                    Quantity.bytesText(p.bytes()), Quantity.bytesText(p.sent()));
        }
        peers.end("no peer yet");
        page.note("Route: how this gateway reached the peer it fetches from: direct; mapped (at a port its router"
                + " forwards); reversed (it connected to us at the tracker's word); punched (through both NATs at"
                + " once); relayed (through a relay peer, encrypted end to end).");
        page.note("Each name opens its watch page (a player, the stream's figures, a QR code for a phone). Players"
                + " and scripts take /stream/NAME (files and live MPEG-TS) and /hls/NAME.m3u8 (live); these figures"
                + " as JSON: /api/streams, /api/status; metrics for Prometheus: /metrics.");
        return page.html();
    }

    private static String holders(StreamState s) {
        // a live stream is never complete: how many hold it all means nothing there
        return s.live() ? count(s.holders()) : count(s.holders()) + " (" + count(s.complete()) + " complete)";
    }

    private static String here(StreamState s) {
        if (!s.open()) {
            return "–";
        }
        if (s.live()) {
            return "open";
        }
        return String.format(Locale.ROOT, "%.0f%%, %s", 100 * s.hereFraction(), Quantity.bytesText(s.hereBytes()));
    }
}
