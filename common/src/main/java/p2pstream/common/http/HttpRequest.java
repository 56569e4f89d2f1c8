package p2pstream.common.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request head as parsed and checked: GET or HEAD (or POST, with its small body), HTTP/1.0 or 1.1, an origin-form
 * target whose path is percent-decoded and safe to split on '/', the header fields. Immutable once its body is in;
 * read on the loop thread.
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
    private final int bodyLength;
    /** A POST's body once read whole; empty otherwise. */
    private byte[] body = new byte[0];

    HttpRequest(String method, String target, String path, String query, String version, HttpHeaders headers) {
        this(method, target, path, query, version, headers, 0);
    }

    HttpRequest(String method, String target, String path, String query, String version, HttpHeaders headers,
                int bodyLength) {
        this.method = method;
        this.target = target;
        this.path = path;
        this.query = query;
        this.version = version;
        this.headers = headers;
        this.bodyLength = bodyLength;
    }

    /** Bytes of body that follow the head (a POST's Content-Length; else 0). */
    int bodyLength() {
        return bodyLength;
    }

    /** The body, read whole, before the request is handed on. */
    void body(byte[] bytes) {
        this.body = bytes;
    }

    /**
     * The first value of the field {@code name} of a POST's form body ({@code application/x-www-form-urlencoded}),
     * decoded; null when there is none.
     */
    public String formParameter(String name) {
        return parameter(new String(body, StandardCharsets.ISO_8859_1), name);
    }

    /** "GET", "HEAD" or "POST". */
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

    /**
     * The first value of the query parameter {@code name} ({@code ?q=a+b} gives "a b"), decoded as a form would
     * encode it; null when there is none. A malformed escape is kept as it was and bytes that are not UTF-8 become
     * U+FFFD: a page filter is forgiving.
     */
    public String queryParameter(String name) {
        return parameter(query, name);
    }

    private static String parameter(String encoded, String name) {
        if (encoded == null) {
            return null;
        }
        for (String pair : encoded.split("&", -1)) {
            int eq = pair.indexOf('=');
            String key = decodeForm(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals(name)) {
                return eq < 0 ? "" : decodeForm(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private static String decodeForm(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
            if (c == '%' && lo >= 0) {
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+') {
                bytes.write(' ');
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
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
