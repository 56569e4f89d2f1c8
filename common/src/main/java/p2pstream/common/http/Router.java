package p2pstream.common.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends each request to the handler of its decoded path: an exact path first, else the longest path prefix
 * (ending in '/', so {@code /stream/} takes {@code /stream/a} but not {@code /streams}); 404 for the rest. A POST
 * (a form) goes only to a path routed with {@link #form}, else 405; a server whose router has no form route refuses
 * POST as it parses it. Routes are added on one thread before the server opens; afterwards it is read by the loop
 * threads only.
 */
public final class Router implements HttpHandler {
    private final Map<String, HttpHandler> exact = new HashMap<>();
    private final Map<String, HttpHandler> forms = new HashMap<>();
    /** Longest first. */
    private final List<Map.Entry<String, HttpHandler>> prefixes = new ArrayList<>();

    /** Routes {@code path} (decoded, e.g. "/" or "/api/status") to {@code handler}. Returns this. */
    public Router exact(String path, HttpHandler handler) {
        if (!path.startsWith("/") || exact.putIfAbsent(path, handler) != null) {
            throw new IllegalArgumentException("route: " + path + " (expected: a new path starting with /)");
        }
        return this;
    }

    /** Routes a POST of a small form to {@code path} (decoded) to {@code handler}. Returns this. */
    public Router form(String path, HttpHandler handler) {
        if (!path.startsWith("/") || forms.putIfAbsent(path, handler) != null) {
            throw new IllegalArgumentException("form route: " + path + " (expected: a new path starting with /)");
        }
        return this;
    }

    /** Whether any path takes a POST. */
    boolean takesForms() {
        return !forms.isEmpty();
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
        if (exchange.request().method().equals("POST")) {
            HttpHandler form = forms.get(path);
            if (form == null) {
                exchange.respond(HttpStatus.METHOD_NOT_ALLOWED, ResponseWriter.TEXT, "405 Method Not Allowed: POST "
                        + path + " (expected: GET or HEAD)\n");
                return;
            }
            form.onRequest(exchange);
            return;
        }
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
