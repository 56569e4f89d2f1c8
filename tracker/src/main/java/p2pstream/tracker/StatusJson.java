package p2pstream.tracker;

import p2pstream.common.http.JsonWriter;

/** {@code /api/status}: the dashboard's figures and streams as JSON. Stateless; any thread. */
final class StatusJson {
    private StatusJson() {
    }

    static String json(TrackerStatus s) {
        JsonWriter w = new JsonWriter().beginObject()
                .field("address", s.address())
                .field("sessions", s.sessions())
                .field("announcingSessions", s.announcingSessions())
                .field("connections", s.connections())
                .field("streams", s.streams())
                .field("entries", s.entries())
                .field("entryLimit", s.entryLimit())
                .field("registryBytes", s.registryBytes())
                .field("registryLimitBytes", s.registryLimitBytes())
                .field("lookupsPerSecond", s.lookupsPerSecond())
                .field("lookups", s.lookups())
                .field("lists", s.lists())
                .field("announces", s.announces())
                .field("withdraws", s.withdraws());
        w.name("refusals").beginObject();
        s.refusals().forEach(w::field);
        w.endObject();
        w.field("filter", s.filter()).field("matching", s.matching()).field("liveMatching", s.liveMatching());
        w.name("shown").beginArray();
        for (StreamTableScan.Row r : s.rows()) {
            w.beginObject().field("name", r.name()).field("contentId", r.contentId().hex())
                    .field("live", r.live()).name("size");
            if (r.live()) {
                w.value((String) null);
            } else {
                w.value(r.size());
            }
            w.field("complete", r.complete()).field("partial", r.partial()).field("viewers", r.viewers())
                    .field("hosts", r.hosts()).endObject();
        }
        return w.endArray().endObject().text();
    }
}
