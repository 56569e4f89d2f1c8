package p2pstream.peer.http;

import p2pstream.common.http.HttpExchange;
import p2pstream.common.http.HttpHandler;
import p2pstream.common.http.HttpHeaders;
import p2pstream.common.http.JsonWriter;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.viewer.Viewer;

/**
 * {@code GET /api/streams/NAME}: one stream's figures as JSON (what the watch page refreshes from). A stream the
 * gateway has open answers at once; any other is looked up at the tracker (never opened: a scraper fetches
 * nothing) and answered with {@code "open": false}, or 404. The viewer's loop thread.
 */
final class StreamApi implements HttpHandler {
    static final String PREFIX = "/api/streams/";

    private final OpenStreams streams;
    private final Viewer viewer;

    StreamApi(OpenStreams streams, Viewer viewer) {
        this.streams = streams;
        this.viewer = viewer;
    }

    @Override
    public void onRequest(HttpExchange ex) {
        String key = ex.request().path().substring(PREFIX.length());
        OpenStream e = key.isEmpty() ? null : streams.find(key);
        if (e != null && e.isOpen()) {
            respond(ex, 200, GatewayJson.stream(StreamState.open(e, -1, -1)));
            return;
        }
        if (key.isEmpty()) {
            respond(ex, 404, error("stream: none named (expected: /api/streams/NAME)"));
            return;
        }
        viewer.lookup(key).whenComplete((found, error) -> ex.loop().execute(() -> {
            if (!ex.isOpen()) {
                return;
            }
            if (error != null) {
                respond(ex, 502, error("tracker: " + StreamFailure.rootMessage(error)));
            } else if (!found.found()) {
                respond(ex, 404, error("stream not found: " + key + " (the tracker knows no such name or content"
                        + " id)"));
            } else {
                respond(ex, 200, GatewayJson.stream(StreamState.of(found)));
            }
        }));
    }

    static void respond(HttpExchange ex, int status, String json) {
        ex.respond(status, new HttpHeaders().add("Content-Type", "application/json").add("Cache-Control", "no-store"),
                json);
    }

    private static String error(String message) {
        return new JsonWriter().beginObject().field("error", message).endObject().text();
    }
}
