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
        HtmlPage page = new HtmlPage("p2pstream tracker", s.address());
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

    private static String summary(TrackerStatus s) {
        String live = s.liveMatching() == 0 ? "" : " (" + count(s.liveMatching()) + " live)";
        return HtmlPage.shown(s.rows().size(), s.matching(), "stream", s.filter()) + live;
    }
}
