package p2pstream.common.http;

import java.util.ArrayList;
import java.util.List;

/**
 * A request head as parsed and checked: GET or HEAD, HTTP/1.0 or 1.1, an origin-form target whose path is
 * percent-decoded and safe to split on '/', the header fields. Immutable once parsed; read on the loop thread.
 */
public final class HttpRequest {
    static final String HTTP_1_0 = "HTTP/1.0";
    static final String HTTP_1_1 = "HTTP/1.1";

    private final String method;
    private final String target;
    private final String path;
    private final String query;
    private final String version;
    private final HttpHeaders headers;

    HttpRequest(String method, String target, String path, String query, String version, HttpHeaders headers) {
        this.method = method;
        this.target = target;
        this.path = path;
        this.query = query;
        this.version = version;
        this.headers = headers;
    }

    /** "GET" or "HEAD". */
    public String method() {
        return method;
    }

    public boolean isHead() {
        return method.equals("HEAD");
    }

    /** The request target as sent: the raw path and query. */
    public String target() {
        return target;
    }

    /** The path, percent-decoded: no "." or ".." segment, no '/' or '\' inside a segment, no control character. */
    public String path() {
        return path;
    }

    /** The decoded path's segments: "/" has none, "/a/b" has "a" and "b", "/a/" has "a" and "". */
    public List<String> segments() {
        List<String> segments = new ArrayList<>();
        int start = 1;
        while (start <= path.length() && path.length() > 1) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            segments.add(path.substring(start, end));
            start = end + 1;
        }
        return segments;
    }

    /** The query as sent (still percent-encoded), without the '?'; null when the target has none. */
    public String query() {
        return query;
    }

    /** "HTTP/1.0" or "HTTP/1.1". */
    public String version() {
        return version;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** The first value of the header {@code name}, or null. */
    public String header(String name) {
        return headers.get(name);
    }

    boolean isHttp10() {
        return version.equals(HTTP_1_0);
    }

    /** The client keeps the connection: HTTP/1.1 unless it says close, HTTP/1.0 only if it says keep-alive. */
    boolean keepAlive() {
        if (headers.hasToken("Connection", "close")) {
            return false;
        }
        return !isHttp10() || headers.hasToken("Connection", "keep-alive");
    }

    @Override
    public String toString() {
        return method + " " + HttpException.shown(target) + " " + version;
    }
}
