package p2pstream.common.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends each request to the handler of its decoded path: an exact path first, else the longest path prefix
 * (ending in '/', so {@code /stream/} takes {@code /stream/a} but not {@code /streams}); 404 for the rest. Routes
 * are added on one thread before the server opens; afterwards it is read by the loop threads only.
 */
public final class Router implements HttpHandler {
    private final Map<String, HttpHandler> exact = new HashMap<>();
    /** Longest first. */
    private final List<Map.Entry<String, HttpHandler>> prefixes = new ArrayList<>();

    /** Routes {@code path} (decoded, e.g. "/" or "/api/status") to {@code handler}. Returns this. */
    public Router exact(String path, HttpHandler handler) {
        if (!path.startsWith("/") || exact.putIfAbsent(path, handler) != null) {
            throw new IllegalArgumentException("route: " + path + " (expected: a new path starting with /)");
        }
        return this;
    }

    /** Routes every path under {@code prefix} (decoded, starting and ending with '/') to {@code handler}. */
    public Router prefix(String prefix, HttpHandler handler) {
        if (!prefix.startsWith("/") || !prefix.endsWith("/")
                || prefixes.stream().anyMatch(e -> e.getKey().equals(prefix))) {
            throw new IllegalArgumentException("route: " + prefix + " (expected: a new prefix starting and ending"
                    + " with /)");
        }
        prefixes.add(Map.entry(prefix, handler));
        prefixes.sort((a, b) -> Integer.compare(b.getKey().length(), a.getKey().length()));
        return this;
    }

    @Override
    public void onRequest(HttpExchange exchange) {
        String path = exchange.request().path();
        HttpHandler handler = exact.get(path);
        for (int i = 0; handler == null && i < prefixes.size(); i++) {
            if (path.startsWith(prefixes.get(i).getKey())) {
                handler = prefixes.get(i).getValue();
            }
        }
        if (handler == null) {
            exchange.respond(HttpStatus.NOT_FOUND, ResponseWriter.TEXT, "404 Not Found: " + path + "\n");
            return;
        }
        handler.onRequest(exchange);
    }
}
