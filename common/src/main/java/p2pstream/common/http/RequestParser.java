package p2pstream.common.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Finds and parses one request head at a time as its bytes arrive, within bounds: a request line of at most
 * {@link #MAX_REQUEST_LINE_BYTES} (else 414), a head of at most {@link #MAX_HEAD_BYTES} and {@link #MAX_HEADERS}
 * fields (else 431); lines end in CRLF; methods GET and HEAD, and POST where the server takes forms (else 405);
 * HTTP/1.0 or 1.1 (else 505); no request body but a POST's, whose Content-Length is at most {@link #MAX_BODY_BYTES}
 * (else 413; none: 411); a Host on HTTP/1.1; a path that {@link RequestPath} decodes. Each received byte is looked at
 * once while the head is incomplete. One per connection; loop thread only.
 */
final class RequestParser {
    static final int MAX_REQUEST_LINE_BYTES = 8 * 1024;
    static final int MAX_HEAD_BYTES = 32 * 1024;
    static final int MAX_HEADERS = 100;
    /** A POST's body at most: a small form (a log-in), never an upload. */
    static final int MAX_BODY_BYTES = 8 * 1024;

    /** Whether POST is taken (the server routes forms); else it is 405 as any other method. */
    private final boolean posts;

    RequestParser(boolean posts) {
        this.posts = posts;
    }

    /** Bytes of the head in progress already looked at, from the buffer's position; 0 between heads. */
    private int scanned;
    /** Where the current line starts, from the buffer's position. */
    private int lineStart;
    /** Complete non-empty lines of the head in progress (the request line is the first). */
    private int lines;

    /**
     * Takes the next whole head from {@code in} (read mode): returns it with {@code in} past it, or null, taking
     * nothing, while the head is incomplete and within bounds.
     *
     * @throws HttpException for a head to refuse, with the status to answer
     */
    HttpRequest parse(ByteBuffer in) throws HttpException {
        int start = in.position();
        int available = in.remaining();
        for (int i = scanned; i < available; i++) {
            if (in.get(start + i) != '\n') {
                continue;
            }
            if (i >= MAX_HEAD_BYTES) {
                throw headTooLarge(i + 1);
            }
            if (i == lineStart || in.get(start + i - 1) != '\r') {
                throw HttpException.badRequest("line " + (lines + 1) + ": ends with a bare LF (expected: CRLF)");
            }
            int lineBytes = i - 1 - lineStart;
            if (lineBytes == 0 && lines > 0) {
                scanned = 0;
                lineStart = 0;
                lines = 0;
                HttpRequest request = build(in, start, i + 1, posts);
                in.position(start + i + 1);
                return request;
            }
            if (lineBytes > 0) { // an empty line before the request line is ignored (RFC 9112, section 2.2)
                lines++;
                if (lines == 1 && lineBytes > MAX_REQUEST_LINE_BYTES) {
                    throw requestLineTooLong(lineBytes);
                }
                if (lines > MAX_HEADERS + 1) {
                    throw new HttpException(HttpStatus.HEADERS_TOO_LARGE, "headers: more than " + MAX_HEADERS
                            + " (expected: at most " + MAX_HEADERS + ")");
                }
            }
            lineStart = i + 1;
        }
        scanned = available;
        if (lines == 0 && available - lineStart > MAX_REQUEST_LINE_BYTES) {
            throw requestLineTooLong(available - lineStart);
        }
        if (available >= MAX_HEAD_BYTES) {
            throw headTooLarge(available);
        }
        return null;
    }

    private static HttpException requestLineTooLong(int bytes) {
        return new HttpException(HttpStatus.URI_TOO_LONG, "request line: " + bytes
                + " bytes or more (expected: at most " + MAX_REQUEST_LINE_BYTES + ")");
    }

    private static HttpException headTooLarge(int bytes) {
        return new HttpException(HttpStatus.HEADERS_TOO_LARGE, "head: " + bytes + " bytes or more without its end"
                + " (expected: at most " + MAX_HEAD_BYTES + ")");
    }

    /** Parses the whole head at {@code in[start, start + length)}, every line of which ends in CRLF. */
    private static HttpRequest build(ByteBuffer in, int start, int length, boolean posts) throws HttpException {
        byte[] head = new byte[length];
        in.get(start, head);
        int pos = 0;
        while (head[pos] == '\r' && head[pos + 1] == '\n') {
            pos += 2; // empty lines before the request line
        }
        int end = lineEnd(head, pos);
        int sp1 = indexOf(head, ' ', pos, end);
        int sp2 = sp1 < 0 ? -1 : indexOf(head, ' ', sp1 + 1, end);
        if (sp2 < 0 || indexOf(head, ' ', sp2 + 1, end) >= 0) {
            throw HttpException.badRequest("request line: \"" + HttpException.shown(latin1(head, pos, end))
                    + "\" (expected: METHOD TARGET VERSION, one space apart)");
        }
        String version = version(latin1(head, sp2 + 1, end));
        String method = method(head, pos, sp1, posts);
        String target = target(head, sp1 + 1, sp2);
        HttpHeaders headers = new HttpHeaders();
        pos = end + 2;
        for (int line = 2; (end = lineEnd(head, pos)) != pos; line++) {
            field(head, pos, end, line, headers);
            pos = end + 2;
        }
        int bodyBytes = method.equals("POST") ? bodyLength(headers) : checkNoBody(headers);
        checkHost(headers, version);
        if (target.indexOf('#') >= 0) {
            throw HttpException.badRequest("target: " + HttpException.shown(target) + " (expected: no fragment)");
        }
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        return new HttpRequest(method, target, RequestPath.decode(rawPath), q < 0 ? null : target.substring(q + 1),
                version, headers, bodyBytes);
    }

    private static String version(String version) throws HttpException {
        if (version.equals(HttpRequest.HTTP_1_1) || version.equals(HttpRequest.HTTP_1_0)) {
            return version.equals(HttpRequest.HTTP_1_1) ? HttpRequest.HTTP_1_1 : HttpRequest.HTTP_1_0;
        }
        if (version.length() == 8 && version.startsWith("HTTP/") && isDigit(version.charAt(5))
                && version.charAt(6) == '.' && isDigit(version.charAt(7))) {
            throw new HttpException(HttpStatus.VERSION_NOT_SUPPORTED, "version: " + version
                    + " (expected: HTTP/1.1 or HTTP/1.0)");
        }
        throw HttpException.badRequest("version: \"" + HttpException.shown(version)
                + "\" (expected: HTTP/1.1 or HTTP/1.0)");
    }

    private static String method(byte[] head, int from, int to, boolean posts) throws HttpException {
        String method = latin1(head, from, to);
        if (method.equals("GET") || method.equals("HEAD")) {
            return method.equals("GET") ? "GET" : "HEAD";
        }
        if (posts && method.equals("POST")) {
            return "POST";
        }
        if (method.isEmpty() || !HttpHeaders.isToken(method)) {
            throw HttpException.badRequest("method: \"" + HttpException.shown(method) + "\" (expected: a token)");
        }
        throw new HttpException(HttpStatus.METHOD_NOT_ALLOWED, "method: " + HttpException.shown(method)
                + " (expected: GET or HEAD)");
    }

    private static String target(byte[] head, int from, int to) throws HttpException {
        for (int i = from; i < to; i++) {
            if (head[i] < 0x21 || head[i] > 0x7e) {
                throw HttpException.badRequest("target: byte " + (head[i] & 0xff) + " at " + (i - from)
                        + " (expected: visible ASCII)");
            }
        }
        String target = latin1(head, from, to);
        if (target.isEmpty() || target.charAt(0) != '/') {
            throw HttpException.badRequest("target: " + HttpException.shown(target)
                    + " (expected: origin-form, /path)");
        }
        return target;
    }

    /** Adds the field on {@code head[from, to)}: a token name, a colon, the value without surrounding blanks. */
    private static void field(byte[] head, int from, int to, int line, HttpHeaders headers) throws HttpException {
        int colon = indexOf(head, ':', from, to);
        if (colon <= from || !isToken(head, from, colon)) {
            throw HttpException.badRequest("header line " + line + ": \"" + HttpException.shown(latin1(head, from, to))
                    + "\" (expected: NAME: VALUE, the name a token, no folding)");
        }
        int valueFrom = colon + 1;
        int valueTo = to;
        while (valueFrom < valueTo && isBlank(head[valueFrom])) {
            valueFrom++;
        }
        while (valueTo > valueFrom && isBlank(head[valueTo - 1])) {
            valueTo--;
        }
        for (int i = valueFrom; i < valueTo; i++) {
            if (!HttpHeaders.isFieldChar(head[i] & 0xff)) {
                throw HttpException.badRequest("header " + HttpException.shown(latin1(head, from, colon)) + ": byte "
                        + (head[i] & 0xff) + " in its value (expected: no control character)");
            }
        }
        headers.addChecked(latin1(head, from, colon), latin1(head, valueFrom, valueTo));
    }

    /** A POST's body length: one Content-Length of digits, at most {@link #MAX_BODY_BYTES}; no Transfer-Encoding. */
    private static int bodyLength(HttpHeaders headers) throws HttpException {
        if (headers.count("Transfer-Encoding") > 0) {
            throw HttpException.badRequest("transfer-encoding: " + HttpException.shown(headers.get("Transfer-Encoding"))
                    + " (expected: none, a POST's body has a Content-Length)");
        }
        String length = headers.get("Content-Length");
        if (headers.count("Content-Length") != 1 || length.isEmpty() || length.length() > 9
                || !length.chars().allMatch(RequestParser::isDigit)) {
            throw new HttpException(HttpStatus.LENGTH_REQUIRED, "content-length: "
                    + (length == null ? "none" : HttpException.shown(length)) + " (expected: one, in digits)");
        }
        int bytes = Integer.parseInt(length);
        if (bytes > MAX_BODY_BYTES) {
            throw new HttpException(HttpStatus.CONTENT_TOO_LARGE, "content-length: " + bytes + " (expected: at most "
                    + MAX_BODY_BYTES + ", a small form)");
        }
        return bytes;
    }

    /** GET and HEAD take no body: a client that sends one would have its bytes read as the next request. */
    private static int checkNoBody(HttpHeaders headers) throws HttpException {
        if (headers.count("Transfer-Encoding") > 0) {
            throw HttpException.badRequest("transfer-encoding: " + HttpException.shown(headers.get("Transfer-Encoding"))
                    + " (expected: none, GET and HEAD take no body)");
        }
        int lengths = headers.count("Content-Length");
        if (lengths > 1) {
            throw HttpException.badRequest("content-length: " + lengths + " fields (expected: at most one)");
        }
        String length = headers.get("Content-Length");
        if (length != null && (length.isEmpty() || !length.chars().allMatch(c -> c == '0'))) {
            throw HttpException.badRequest("content-length: " + HttpException.shown(length)
                    + " (expected: 0, GET and HEAD take no body)");
        }
        return 0;
    }

    private static void checkHost(HttpHeaders headers, String version) throws HttpException {
        int hosts = headers.count("Host");
        if (hosts > 1 || hosts == 0 && version.equals(HttpRequest.HTTP_1_1)) {
            throw HttpException.badRequest("host: " + hosts + " fields (expected: one"
                    + (version.equals(HttpRequest.HTTP_1_1) ? ")" : " at most)"));
        }
        String host = headers.get("Host");
        if (host != null && !host.chars().allMatch(RequestParser::isHostChar)) {
            throw HttpException.badRequest("host: " + HttpException.shown(host) + " (expected: a host name or address"
                    + " and an optional port)");
        }
    }

    private static boolean isHostChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || "-._~!$&'()*+,;=:[]%".indexOf(c) >= 0;
    }

    /** Index of the CR that ends the line starting at {@code from}. */
    private static int lineEnd(byte[] head, int from) {
        int i = from;
        while (head[i] != '\n') {
            i++;
        }
        return i - 1;
    }

    private static int indexOf(byte[] head, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (head[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isToken(byte[] head, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!HttpHeaders.isTokenChar(head[i] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static String latin1(byte[] head, int from, int to) {
        return new String(head, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
