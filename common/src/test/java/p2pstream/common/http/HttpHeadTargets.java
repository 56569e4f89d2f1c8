package p2pstream.common.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import p2pstream.common.fuzz.Draw;
import p2pstream.common.fuzz.FuzzTarget;
import p2pstream.common.wire.ProtocolException;

/**
 * The request-head parser as a {@link FuzzTarget} beside the wire codecs: valid heads (GET or HEAD, paths with
 * escapes, queries, fields with and without blanks, empty lines before, bytes after), damaged by the mutator. Every
 * input must parse or be refused with one of {@link #REFUSALS} and a message saying what was expected; a head fed
 * in two parts must give what it gives whole; a parsed head written out plainly must parse to the same request.
 * Stateless; any thread.
 */
final class HttpHeadTargets {
    /** Beyond the largest head, so oversized ones come up. */
    static final int MAX_INPUT_BYTES = RequestParser.MAX_HEAD_BYTES + 8 * 1024;
    static final Set<Integer> REFUSALS = Set.of(400, 405, 411, 413, 414, 431, 505);
    private static final String SEGMENT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            + "-._~!$&'()*+,;=:@";
    private static final String QUERY_CHARS = "abcxyz0123456789=&%+/?-._~";
    private static final String[] ESCAPES = {"%20", "%C3%A9", "%e6%97%a5", "%25", "%3F", "%23", "%2e", "%41"};
    private static final String[] NAMES = {"Range", "Connection", "User-Agent", "Accept", "If-Range", "Cookie",
        "Icy-MetaData", "X-Playback-Session-Id"};
    private static final String[] HOSTS = {"localhost", "localhost:8080", "127.0.0.1", "[::1]:80", "example.com"};

    /** A head's bytes, the bytes after it, and where the parser is first fed a part only. */
    record HeadRun(byte[] head, byte[] rest, int split) {
        byte[] encode() {
            return ByteBuffer.allocate(head.length + rest.length).put(head).put(rest).array();
        }

        @Override
        public String toString() {
            return "HeadRun[" + head.length + " head bytes, " + rest.length + " after, split at " + split + "]";
        }
    }

    private HttpHeadTargets() {
    }

    static List<FuzzTarget<?>> all() {
        return List.of(FuzzTarget.of("HTTP request head", MAX_INPUT_BYTES, HttpHeadTargets::valid, HeadRun::encode,
                        (base, in) -> decode(base, in, false), (base, in) -> property(base, in, false)),
                FuzzTarget.of("HTTP request head, forms taken", MAX_INPUT_BYTES, HttpHeadTargets::validForm,
                        HeadRun::encode, (base, in) -> decode(base, in, true), (base, in) -> property(base, in, true)));
    }

    /** A head as {@link #valid} makes it, often turned into a POST of a small form (the tracker's log-in). */
    static HeadRun validForm(Draw draw) {
        HeadRun run = valid(draw);
        String head = new String(run.head(), StandardCharsets.ISO_8859_1);
        if (draw.oneIn(4) || head.toLowerCase(Locale.ROOT).contains("content-length")) {
            return run;
        }
        int body = draw.oneIn(8) ? draw.between(0, RequestParser.MAX_BODY_BYTES) : draw.between(0, 64);
        String post = head.replaceFirst("^(\\r\\n)*(GET|HEAD) ", "POST ");
        post = post.substring(0, post.length() - 2) + "Content-Length: " + body + "\r\n\r\n";
        return new HeadRun(post.getBytes(StandardCharsets.ISO_8859_1), run.rest(), run.split());
    }

    static HeadRun valid(Draw draw) {
        boolean http10 = draw.oneIn(4);
        StringBuilder head = new StringBuilder();
        for (int i = draw.oneIn(8) ? draw.between(1, 2) : 0; i > 0; i--) {
            head.append("\r\n"); // empty lines a client may send before the request line
        }
        String target = target(draw);
        if (target.length() > RequestParser.MAX_REQUEST_LINE_BYTES - 16) {
            target = "/"; // a long draw overshot the request line
        }
        head.append(draw.bool() ? "GET " : "HEAD ").append(target).append(http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
        if (!http10 || draw.bool()) {
            field(head, "Host", HOSTS[draw.below(HOSTS.length)], draw);
        }
        for (int i = draw.oneIn(32) ? draw.between(0, RequestParser.MAX_HEADERS - 1) : draw.between(0, 5); i > 0; i--) {
            String name = draw.oneIn(3) ? "X-" + token(draw) : NAMES[draw.below(NAMES.length)];
            field(head, name, value(draw), draw);
        }
        if (draw.oneIn(8)) {
            field(head, "Content-Length", "0", draw);
        }
        head.append("\r\n");
        if (head.length() > RequestParser.MAX_HEAD_BYTES) {
            head.setLength(0);
            head.append("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"); // a long draw overshot: the plain head instead
        }
        byte[] next = "GET /next HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] rest = !draw.oneIn(4) ? new byte[0] : draw.bool() ? next : draw.bytes(draw.between(1, 16));
        byte[] bytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        return new HeadRun(bytes, rest, draw.between(0, bytes.length + rest.length));
    }

    private static String target(Draw draw) {
        StringBuilder t = new StringBuilder();
        int segments = draw.oneIn(32) ? draw.between(1, 400) : draw.between(0, 4);
        for (int i = 0; i < segments; i++) {
            t.append("/s");
            for (int n = draw.between(0, draw.oneIn(16) ? 12 : 6); n > 0; n--) {
                t.append(draw.oneIn(5) ? ESCAPES[draw.below(ESCAPES.length)]
                        : String.valueOf(SEGMENT_CHARS.charAt(draw.below(SEGMENT_CHARS.length()))));
            }
        }
        if (t.length() == 0 || draw.oneIn(8)) {
            t.append('/');
        }
        if (draw.oneIn(3)) {
            t.append('?');
            for (int n = draw.between(0, 12); n > 0; n--) {
                t.append(QUERY_CHARS.charAt(draw.below(QUERY_CHARS.length())));
            }
        }
        return t.toString();
    }

    private static String token(Draw draw) {
        StringBuilder t = new StringBuilder();
        for (int n = draw.between(1, 12); n > 0; n--) {
            t.append((char) ('a' + draw.below(26)));
        }
        return t.toString();
    }

    /** Printable Latin-1 and tabs, at times long. */
    private static String value(Draw draw) {
        StringBuilder v = new StringBuilder();
        for (int n = draw.oneIn(64) ? draw.between(0, 20_000) : draw.between(0, 40); n > 0; n--) {
            int c = draw.oneIn(16) ? draw.pick('\t', 0x80 + draw.below(128)) : 0x20 + draw.below(0x5f);
            v.append((char) c);
        }
        return v.toString();
    }

    /** A field with one of the spacings clients use around its value. */
    private static void field(StringBuilder head, String name, String value, Draw draw) {
        head.append(name).append(draw.oneIn(4) ? ":" : ": ").append(value).append(draw.oneIn(8) ? " \t" : "")
                .append("\r\n");
    }

    /**
     * Parses one head from {@code in}: a request (the head and the bytes after it), nothing yet (all the bytes
     * after), or a refusal, which must carry one of {@link #REFUSALS} and say what was expected.
     */
    static HeadRun decode(HeadRun base, ByteBuffer in, boolean posts) throws ProtocolException {
        int start = in.position();
        Object outcome = outcome(new RequestParser(posts), in);
        if (outcome instanceof HttpException e) {
            if (!REFUSALS.contains(e.status()) || !e.getMessage().contains("(expected: ")) {
                throw new AssertionError("parser: refused with " + e.status() + " \"" + e.getMessage()
                        + "\" (expected: " + REFUSALS + " and a message saying what was expected)");
            }
            throw ProtocolException.malformed("http " + e.status() + ": " + e.getMessage());
        }
        byte[] head = new byte[in.position() - start];
        in.get(start, head);
        byte[] after = new byte[in.remaining()];
        in.get(after);
        return new HeadRun(head, after, base.split());
    }

    /**
     * The parser's own properties: fed in two parts (at {@code base.split()}) it gives what it gives whole, and a
     * head it parses, written out plainly, parses to the same request.
     */
    static void property(HeadRun base, ByteBuffer in, boolean posts) {
        int start = in.position();
        ByteBuffer whole = in.duplicate();
        Object outcome = outcome(new RequestParser(posts), whole);
        RequestParser parted = new RequestParser(posts);
        ByteBuffer part = in.duplicate();
        part.limit(start + Math.min(base.split(), in.remaining()));
        Object early = outcome(parted, part);
        ByteBuffer rest = early == null ? in.duplicate() : part;
        Object late = early == null ? outcome(parted, rest) : early;
        if (!same(outcome, late) || outcome instanceof HttpRequest && rest.position() != whole.position()) {
            throw new AssertionError("parser: " + describe(outcome) + " whole, " + describe(late) + " fed in two parts"
                    + " (expected: the same)");
        }
        if (outcome instanceof HttpRequest request) {
            HttpRequest again = reparse(request, posts);
            if (!same(request, again)) {
                throw new AssertionError("parser: " + describe(request) + " written out parses to " + describe(again));
            }
        }
    }

    /** A request, a refusal, or null (incomplete). */
    private static Object outcome(RequestParser parser, ByteBuffer in) {
        try {
            return parser.parse(in);
        } catch (HttpException e) {
            return e;
        }
    }

    /** Parses {@code r} written out plainly: one space after each colon, no blanks after values. */
    private static HttpRequest reparse(HttpRequest r, boolean posts) {
        HttpHeaders fields = r.headers();
        int bytes = r.method().length() + r.target().length() + r.version().length() + 6;
        for (int i = 0; i < fields.size(); i++) {
            bytes += fields.name(i).length() + fields.value(i).length() + 4;
        }
        ByteBuffer out = ByteBuffer.allocate(bytes);
        latin1(out, r.method(), " ", r.target(), " ", r.version(), "\r\n");
        for (int i = 0; i < fields.size(); i++) {
            latin1(out, fields.name(i), ": ", fields.value(i), "\r\n");
        }
        Object again = outcome(new RequestParser(posts), latin1(out, "\r\n").flip());
        if (!(again instanceof HttpRequest request)) {
            throw new AssertionError("parser: " + describe(r) + " written out gives " + describe(again));
        }
        return request;
    }

    private static ByteBuffer latin1(ByteBuffer out, String... parts) {
        for (String part : parts) {
            for (int i = 0; i < part.length(); i++) {
                out.put((byte) part.charAt(i));
            }
        }
        return out;
    }

    private static boolean sameFields(HttpHeaders a, HttpHeaders b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.name(i).equals(b.name(i)) || !a.value(i).equals(b.value(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof HttpException x && b instanceof HttpException y) {
            return x.status() == y.status();
        }
        if (a instanceof HttpRequest x && b instanceof HttpRequest y) {
            return x.method().equals(y.method()) && x.target().equals(y.target()) && x.path().equals(y.path())
                    && Objects.equals(x.query(), y.query()) && x.version().equals(y.version())
                    && x.keepAlive() == y.keepAlive() && x.bodyLength() == y.bodyLength()
                    && sameFields(x.headers(), y.headers());
        }
        return a == null && b == null;
    }

    private static String describe(Object outcome) {
        if (outcome instanceof HttpException e) {
            return "refusal " + e.status() + " \"" + e.getMessage() + "\"";
        }
        return outcome == null ? "incomplete" : "request " + outcome;
    }
}
