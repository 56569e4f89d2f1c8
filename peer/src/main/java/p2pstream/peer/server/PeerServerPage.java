package p2pstream.peer.server;

import static p2pstream.common.http.HtmlPage.count;

import p2pstream.common.cli.Quantity;
import p2pstream.common.http.HtmlPage;

/**
 * The peer-server's page ({@code /}): how far the hashing at start has got, then what it shares and serves: peers
 * served now, bytes and chunks sent, rejected requests, and per shared file (as a filter picks them) and live
 * publication what was served of it. Stateless; any thread.
 */
final class PeerServerPage {
    private PeerServerPage() {
    }

    static String html(PeerServerStatus s) {
        HtmlPage page = new HtmlPage("p2pstream peer-server", s.ready() ? s.address() + "  ·  peer " + s.peerId()
                : "starting: hashing its files");
        if (!s.ready()) {
            page.progress("hashing the shared files", s.startupBytes() == 0 ? 0
                    : (double) s.startupBytesDone() / s.startupBytes(), count(s.startupFilesDone()) + " of "
                    + count(s.startupFiles()) + " files, " + Quantity.bytesText(s.startupBytesDone()) + " of "
                    + Quantity.bytesText(s.startupBytes()) + " (cached manifests are read, not hashed)");
        }
        page.tile("peers served now", count(s.sessions()), count(s.connections()) + " connections")
                .tile("sent", Quantity.bytesText(s.sentBytes()), count(s.chunks()) + " chunks")
                .tile("rejected requests", count(s.rejectedCount()), HtmlPage.nonZero(s.rejected(), "REJECT answers"))
                .tile("shared files", count(s.files()), Quantity.bytesText(s.fileBytes()));
        if (s.live() != null) {
            PeerServerStatus.LiveRow l = s.live();
            page.heading("Live publication");
            page.table("name", "~content id", "#viewers", "#chunks published", "#sent", "#chunks served")
                    .row(l.name(), l.contentId().shortHex(), count(l.viewers()), count(l.chunksPublished()),
                            Quantity.bytesText(l.sentBytes()), count(l.chunksServed()))
                    .end("");
        }
        if (s.live() == null || s.files() > 0) {
            page.heading("Shared files");
            page.filter(s.filter(), "filter by name",
                    HtmlPage.shown(s.shown().size(), s.matching(), "file", s.filter()));
            HtmlPage.Table table = page.table("name", "~content id", "#size", "#chunks", "#sent", "#requests served",
                    "#peers now");
            for (PeerServerStatus.FileRow r : s.shown()) {
                table.row(r.name(), r.contentId().shortHex(), Quantity.bytesText(r.size()), count(r.chunks()),
                        Quantity.bytesText(r.sentBytes()), count(r.chunksServed()), count(r.peers()));
            }
            table.end(!s.ready() ? "hashing..." : s.filter().isEmpty() ? "no files shared"
                    : "no file name contains this");
        }
        invites(page, s);
        page.note((s.ready() && s.startupFiles() > 0 ? count(s.startupFiles()) + " files ("
                + Quantity.bytesText(s.startupBytes()) + ") were hashed or read from the manifest cache at start. "
                : "") + "Sent counts chunk frames queued to peers; requests served are chunks sent. Metrics for"
                + " Prometheus: /metrics; these figures as JSON: /api/status.");
        return page.html();
    }

    /** Each unredeemed invite of this run as its link and a QR code a phone can take it from. */
    private static void invites(HtmlPage page, PeerServerStatus s) {
        if (s.invites() == null || s.invites().isEmpty()) {
            return;
        }
        page.heading("Invites");
        for (Redemptions.Shown invite : s.invites()) {
            boolean[][] qr = invite.qr();
            String label = "invite for " + invite.what() + " (one peer, once)";
            if (qr != null) {
                page.qrCode(label, qr, invite.link());
            } else {
                page.note(label + ", too long for a QR code: " + invite.link());
            }
        }
        page.note("Each link lets the first peer that redeems it read what it names (peer-client LINK); it is shown"
                + " here until then, and only on a loopback page. Invites made before a restart still work but are"
                + " not shown: the server keeps only a hash of their secrets.");
    }
}
