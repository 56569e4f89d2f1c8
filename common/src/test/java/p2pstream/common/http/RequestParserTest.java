package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request parser alone: what it takes, what it refuses with which status, and its bounds to the byte. */
class RequestParserTest {

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static HttpRequest parse(String s) throws HttpException {
        return new RequestParser(false).parse(bytes(s));
    }

    private static int status(String s) {
        return assertThrows(HttpException.class, () -> parse(s), s.length() < 60 ? s : s.substring(0, 60)).status();
    }

    private static String head(int bytes) {
        String start = "GET / HTTP/1.1\r\nHost: localhost\r\nX: ";
        return start + "x".repeat(bytes - start.length() - 4) + "\r\n\r\n";
    }

    @Test
    void aWholeHeadIsParsedIntoItsParts() throws Exception {
        HttpRequest r = parse("GET /a/b%20c?x=1&y HTTP/1.1\r\nHost: localhost:8080\r\nRange:  bytes=0-1 \t\r\n"
                + "Connection: keep-alive, Upgrade\r\n\r\n");
        assertEquals("GET", r.method());
        assertEquals("/a/b%20c?x=1&y", r.target());
        assertEquals("/a/b c", r.path());
        assertEquals(List.of("a", "b c"), r.segments());
        assertEquals("x=1&y", r.query());
        assertEquals("HTTP/1.1", r.version());
        assertEquals("localhost:8080", r.header("host"));
        assertEquals("bytes=0-1", r.header("RANGE"), "blanks around a value are not part of it");
        assertTrue(r.keepAlive());
        assertEquals(3, r.headers().size());
    }

    @Test
    void anIncompleteHeadTakesNothingAndByteByByteGivesTheSameRequest() throws Exception {
        String text = "HEAD /x HTTP/1.0\r\nUser-Agent: t\r\n\r\nGET /next";
        RequestParser parser = new RequestParser(false);
        ByteBuffer in = ByteBuffer.allocate(text.length());
        HttpRequest r = null;
        for (int i = 0; i < text.length() && r == null; i++) {
            in.put((byte) text.charAt(i)).flip();
            r = parser.parse(in);
            if (r == null) {
                assertEquals(0, in.position(), "nothing taken while incomplete");
            }
            in.compact();
        }
        assertEquals("HEAD", r.method());
        assertTrue(r.isHead());
        assertEquals("HTTP/1.0", r.version());
        assertEquals(false, r.keepAlive(), "HTTP/1.0 closes unless asked");
        assertNull(r.query());
    }

    @Test
    void pipelinedHeadsAreTakenOneAtATime() throws Exception {
        RequestParser parser = new RequestParser(false);
        ByteBuffer in = bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3");
        assertEquals("/1", parser.parse(in).path());
        assertEquals("/2", parser.parse(in).path());
        assertNull(parser.parse(in));
        assertEquals("GET /3", StandardCharsets.ISO_8859_1.decode(in).toString(), "the rest waits");
    }

    @Test
    void emptyLinesBeforeTheRequestLineAreIgnored() throws Exception {
        assertEquals("/x", parse("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n").path());
    }

    @Test
    void connectionTokensDecideKeepAlive() throws Exception {
        assertEquals(false, parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n").keepAlive());
        assertEquals(true, parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive());
        assertEquals(false, parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").keepAlive());
    }

    @Test
    void theBoundsHoldToTheByte() throws Exception {
        assertEquals("GET", parse(head(RequestParser.MAX_HEAD_BYTES)).method(), "a head of exactly the maximum");
        assertEquals(431, status(head(RequestParser.MAX_HEAD_BYTES + 1)));
        assertEquals(431, status("GET / HTTP/1.1\r\nHost: a\r\nX: " + "y".repeat(RequestParser.MAX_HEAD_BYTES)),
                "no end within the maximum");
        String line = "GET /" + "a".repeat(RequestParser.MAX_REQUEST_LINE_BYTES - 14) + " HTTP/1.1";
        assertEquals(RequestParser.MAX_REQUEST_LINE_BYTES, line.length());
        assertEquals("GET", parse(line + "\r\nHost: a\r\n\r\n").method());
        assertEquals(414, status("GET /a" + line.substring(5) + "\r\nHost: a\r\n\r\n"));
        assertEquals(414, status("GET /" + "a".repeat(RequestParser.MAX_REQUEST_LINE_BYTES)), "before its end comes");
        StringBuilder fields = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 1; i < RequestParser.MAX_HEADERS; i++) {
            fields.append("X-").append(i).append(": v\r\n");
        }
        assertEquals(RequestParser.MAX_HEADERS, parse(fields + "\r\n").headers().size());
        assertEquals(431, status(fields + "X-last: v\r\n\r\n"));
    }

    @Test
    void malformedHeadsAre400() {
        for (String s : List.of(
                "GET / HTTP/1.1\nHost: a\n\n",
                "GET / HTTP/1.1\r\nHost: a\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\rX: y\r\n\r\n",
                "GET /  HTTP/1.1\r\nHost: a\r\n\r\n",
                "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
                " GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                "GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
                "GET /\r\nHost: a\r\n\r\n",
                "GET / http/1.1\r\nHost: a\r\n\r\n",
                "GET / HTTP/1.1\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
                "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\n: novalue\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nno colon\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nX: a\u0000b\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nX: a\u007fb\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx",
                "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -0\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
                "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
                "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
                "GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n",
                "GET /\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n",
                "GET /../x HTTP/1.1\r\nHost: a\r\n\r\n",
                "G\u00c9T / HTTP/1.1\r\nHost: a\r\n\r\n")) {
            assertEquals(400, status(s), s);
        }
    }

    @Test
    void otherMethodsAre405AndOtherVersions505() {
        assertEquals(405, status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"));
        assertEquals(405, status("PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals(405, status("get / HTTP/1.1\r\nHost: a\r\n\r\n"), "methods are case-sensitive");
        assertEquals(505, status("GET / HTTP/2.0\r\nHost: a\r\n\r\n"));
        assertEquals(505, status("GET / HTTP/1.2\r\nHost: a\r\n\r\n"));
        assertEquals(505, status("GET / HTTP/0.9\r\n\r\n"));
    }

    @Test
    void aRefusalSaysWhatWasWrongAndWhatWasExpected() {
        HttpException e = assertThrows(HttpException.class, () -> parse("GET / HTTP/1.1\r\nHost: a\r\n"
                + "Content-Length: 12\r\n\r\n"));
        assertEquals("content-length: 12 (expected: 0, GET and HEAD take no body)", e.getMessage());
        assertEquals(0, e.getStackTrace().length, "no stack trace for a client's bad input");
    }

    @Test
    void aZeroContentLengthAndAnHttp10WithoutHostAreFine() throws Exception {
        assertEquals("/", parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").path());
        assertNull(parse("GET / HTTP/1.0\r\n\r\n").header("Host"));
    }
}
