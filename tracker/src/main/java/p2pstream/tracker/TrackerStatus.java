package p2pstream.tracker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import p2pstream.common.net.Acceptor;

/**
 * What the dashboard and {@code /api/status} show, taken at one moment on the registry loop ({@link #take}) and
 * rendered on an HTTP connection's loop: sessions, connections, the registry against its limits, request counts
 * and the lookup rate, refusals by reason, and the streams a filter picked. Immutable once taken; any thread.
 */
record TrackerStatus(String address, int sessions, int announcingSessions, int connections, int streams,
                     long entries, long entryLimit, long registryBytes, long registryLimitBytes,
                     double lookupsPerSecond, long lookups, long lists, long announces, long withdraws,
                     Map<String, Long> refusals, String filter, long matching, long liveMatching,
                     List<StreamTableScan.Row> rows) {

    /** The figures now, with the rows of a complete {@code scan}. Registry loop only. */
    static TrackerStatus take(Tracker tracker, TrackerMetrics m, Registry r, StreamTableScan scan) {
        Map<String, Long> refusals = new LinkedHashMap<>();
        for (Registry.Refusal why : Registry.Refusal.values()) {
            refusals.put(why.label, r.refusals(why));
        }
        return new TrackerStatus(Acceptor.hostPort(tracker.address()), m.sessionsOpen(), r.sessionCount(),
                tracker.connectionCount(), r.streamCount(), r.entryCount(), r.maxEntries(), r.bytes(), r.maxBytes(),
                m.lookupsPerSecond(), m.lookups.value(), m.lists.value(), m.announces.value(), m.withdraws.value(),
                Collections.unmodifiableMap(refusals), scan.filter(), scan.matching(), scan.liveMatching(),
                List.copyOf(scan.rows()));
    }

    long refusalCount() {
        return refusals.values().stream().mapToLong(Long::longValue).sum();
    }
}
