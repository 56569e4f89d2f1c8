package p2pstream.tracker;

import static p2pstream.common.http.HtmlPage.count;

import java.util.Locale;
import p2pstream.common.cli.Quantity;
import p2pstream.common.http.HtmlPage;

/**
 * The tracker's dashboard ({@code /}): sessions, streams, entries and registry memory against their limits, lookups
 * per second, refusals, and the streams a filter picks with their holders (complete, partial, viewers) and hosts.
 * Stateless; any thread.
 */
final class DashboardPage {
    private DashboardPage() {
    }

    static String html(TrackerStatus s) {
        return html(s, null);
    }

    /** The page as {@code viewer} sees it: a log-in form, or what its account's devices may read (null: none). */
    static String html(TrackerStatus s, DashboardLogin.Viewer viewer) {
        HtmlPage page = new HtmlPage("p2pstream tracker", s.address());
        if (viewer != null && viewer.account() == null) {
            page.logInForm("/login", viewer.notice().isEmpty() ? "log in to see the private streams shared with your"
                    + " devices" : viewer.notice());
        } else if (viewer != null) {
            page.postButton("/logout", "logged in as " + viewer.account() + " (" + viewer.devices()
                    + (viewer.devices() == 1 ? " device)" : " devices)"), "log out");
            shared(page, viewer); // first: what a logged-in user came for
        }
        page.tile("sessions", count(s.sessions()), s.announcingSessions() + " announcing, " + s.connections()
                        + " connections")
                .tile("streams", count(s.streams()), s.filter().isEmpty() ? count(s.liveMatching()) + " live" : "")
                .tile("entries", count(s.entries()), "(stream, peer) pairs")
                .tile("lookups per second", String.format(Locale.ROOT, "%.1f", s.lookupsPerSecond()),
                        count(s.lookups()) + " since start")
                .tile("announces", count(s.announces()), count(s.withdraws()) + " withdraws, " + count(s.lists())
                        + " lists")
                .tile("refusals", count(s.refusalCount()), HtmlPage.nonZero(s.refusals(), "announcements refused"));
        page.meter("registry entries", (double) s.entries() / s.entryLimit(), count(s.entries()) + " of "
                + count(s.entryLimit()) + " (--max-entries)");
        page.meter("registry memory", (double) s.registryBytes() / s.registryLimitBytes(),
                Quantity.bytesText(s.registryBytes()) + " of " + Quantity.bytesText(s.registryLimitBytes())
                        + " (--max-memory; estimated, names included)");
        page.heading("Streams");
        page.filter(s.filter(), "filter by name", summary(s));
        HtmlPage.Table table = page.table("name", "~content id", "#size", "#complete", "#partial", "#viewers",
                "#hosts");
        for (StreamTableScan.Row r : s.rows()) {
            table.row(r.name(), r.contentId().shortHex(), r.live() ? "live" : Quantity.bytesText(r.size()),
                    count(r.complete()), count(r.partial()), count(r.viewers()), count(r.hosts()));
        }
        table.end(s.filter().isEmpty() ? "no streams announced yet" : "no stream name contains this");
        page.note("Holders: complete (seeds) and partial; viewers are the holders that are peer-clients (a live"
                + " stream's audience); hosts are distinct IP addresses. Metrics for Prometheus: /metrics;"
                + " these figures as JSON: /api/status.");
        return page.html();
    }

    /** The private streams the viewer's devices may read: the owner's grants name one of them. */
    private static void shared(HtmlPage page, DashboardLogin.Viewer viewer) {
        page.heading("Shared with " + viewer.account());
        HtmlPage.Table table = page.table("name", "~content id", "#size", "~owner", "~device");
        for (GrantedScan.Row r : viewer.rows()) {
            table.row(r.name(), r.contentId().shortHex(), r.size() < 0 ? "live" : Quantity.bytesText(r.size()),
                    r.owner().text(), r.device().text());
        }
        table.end("nothing private is shared with a device of " + viewer.account() + " now");
        page.note("Fetch one with: peer-client TRACKER NAME --identity (the device's key). Streams listed here are"
                + " private: the tracker shows them to their owner and the devices their grants name only.");
    }

    private static String summary(TrackerStatus s) {
        String live = s.liveMatching() == 0 ? "" : " (" + count(s.liveMatching()) + " live)";
        return HtmlPage.shown(s.rows().size(), s.matching(), "stream", s.filter()) + live;
    }
}
