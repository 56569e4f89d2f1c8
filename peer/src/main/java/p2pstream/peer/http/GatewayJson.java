package p2pstream.peer.http;

import java.util.List;
import java.util.Map;
import p2pstream.common.http.JsonWriter;

/**
 * The gateway's JSON: {@code /api/streams} (the streams the tracker lists, with how much of each is here),
 * {@code /api/streams/NAME} (one stream's figures, and their texts as the watch page shows them) and
 * {@code /api/status} (the gateway's totals). Field names are in the README. Stateless; any thread.
 */
final class GatewayJson {
    private GatewayJson() {
    }

    static String list(List<StreamState> rows, String filter, boolean limited) {
        JsonWriter w = new JsonWriter().beginObject().field("filter", filter).field("limited", limited);
        w.name("streams").beginArray();
        for (StreamState s : rows) {
            StreamPaths p = StreamPaths.of(s.name(), s.contentId());
            w.beginObject();
            what(w, s);
            w.field("holders", s.holders()).field("completeHolders", s.complete()).field("open", s.open())
                    .field("hereBytes", s.hereBytes()).field("watch", p.watch()).field("stream", p.stream())
                    .field("hls", s.live() ? p.hls() : null).endObject();
        }
        return w.endArray().endObject().text();
    }

    static String stream(StreamState s) {
        StreamPaths p = StreamPaths.of(s.name(), s.contentId());
        JsonWriter w = new JsonWriter().beginObject();
        what(w, s);
        w.field("open", s.open()).field("holders", s.holders()).field("completeHolders", s.complete())
                .field("peers", s.peers()).field("chunks", s.chunks()).field("hereChunks", s.hereChunks())
                .field("hereBytes", s.hereBytes());
        w.name("ranges").beginArray();
        int[] runs = s.runs();
        for (int i = 0; i + 1 < runs.length; i += 2) {
            long first = (long) runs[i] * s.chunkSize();
            long last = Math.min(s.size(), (long) runs[i + 1] * s.chunkSize()) - 1;
            w.beginArray().value(first).value(last).endArray();
        }
        w.endArray().name("buffered").beginArray();
        for (double f : s.runFractions()) {
            w.value(f);
        }
        w.endArray().field("receivedBytes", s.receivedBytes()).field("receivedBytesPerSecond", s.receivedPerSecond())
                .field("sentBytes", s.sentBytes()).field("sentBytesPerSecond", s.sentPerSecond())
                .field("readers", s.readers()).field("stalls", s.stalls()).field("rejectedChunks", s.rejected());
        if (s.live()) {
            w.field("latencyMillis", s.latencyMillis()).field("skippedChunks", s.skipped()).name("transportStream");
            if (s.transportStream() == null) {
                w.value((String) null);
            } else {
                w.value(s.transportStream().booleanValue());
            }
        }
        w.field("watch", p.watch()).field("stream", p.stream()).field("hls", s.live() ? p.hls() : null);
        w.name("shown").beginObject();
        for (Map.Entry<String, String> t : FigureTexts.of(s).entrySet()) {
            w.field(t.getKey(), t.getValue());
        }
        return w.endObject().endObject().text();
    }

    /** The gateway's totals and settings, as named. */
    static String status(Map<String, Object> figures) {
        JsonWriter w = new JsonWriter().beginObject();
        figures.forEach((name, value) -> {
            if (value instanceof Long || value instanceof Integer) {
                w.field(name, ((Number) value).longValue());
            } else if (value instanceof Boolean b) {
                w.field(name, b.booleanValue());
            } else {
                w.field(name, value == null ? null : value.toString());
            }
        });
        return w.endObject().text();
    }

    private static void what(JsonWriter w, StreamState s) {
        w.field("name", s.name()).field("contentId", s.contentId().hex()).field("live", s.live())
                .field("size", s.size()).field("chunkSize", s.chunkSize());
    }
}
