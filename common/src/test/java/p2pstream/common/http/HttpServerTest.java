package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Statuses and headers of answered requests, keep-alive, pipelining, HEAD and ranges, over real loopback sockets. */
class HttpServerTest extends HttpFixture {
    @Test
    void aGetIsAnsweredWithStatusHeadersAndBody() throws Exception {
        startDemo();
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response r = c.get("/hello");
            assertEquals(200, r.status());
            assertEquals(DemoRoutes.HELLO, r.text());
            assertEquals(Integer.toString(DemoRoutes.HELLO.length()), r.header("Content-Length"));
            assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
            assertNull(r.header("Connection"), "HTTP/1.1 keeps the connection without saying so");
            assertStandardHeaders(r);
        }
    }

    @Test
    void anUnknownPathIs404WithNosniff() throws Exception {
        startDemo();
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response r = c.get("/nowhere");
            assertEquals(404, r.status());
            assertStandardHeaders(r);
            assertEquals(200, c.get("/hello").status(), "a 404 keeps the connection");
        }
    }

    @Test
    void severalRequestsShareOneKeptAliveConnection() throws Exception {
        startDemo();
        try (RawHttpClient c = connect()) {
            for (int i = 0; i < 5; i++) {
                assertEquals(DemoRoutes.HELLO, c.get("/hello").text());
                assertEquals(1, server.connectionCount());
            }
        }
    }

    @Test
    void connectionCloseIsHonouredAfterTheResponse() throws Exception {
        startDemo();
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response r = c.get("/hello", "Connection: close");
            assertEquals(200, r.status());
            assertEquals("close", r.header("Connection"));
            c.expectEof();
        }
    }

    @Test
    void http10ClosesUnlessAskedToKeepAlive() throws Exception {
        startDemo();
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response r = c.send("GET /hello HTTP/1.0\r\n\r\n").read(false);
            assertEquals(200, r.status());
            assertEquals("close", r.header("Connection"));
            c.expectEof();
        }
        try (RawHttpClient c = connect()) {
            for (int i = 0; i < 2; i++) {
                RawHttpClient.Response r = c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read(false);
                assertEquals("keep-alive", r.header("Connection"));
                assertEquals(DemoRoutes.HELLO, r.text());
            }
        }
    }

    @Test
    void http10GetsAnEndlessBodyUnchunkedAndClosed() throws Exception {
        startDemo();
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response head = c.send("GET /count HTTP/1.0\r\n\r\n").readHead();
            assertEquals(200, head.status());
            assertNull(head.header("Transfer-Encoding"), "HTTP/1.0 knows no chunks");
            assertEquals("close", head.header("Connection"));
            byte[] first = c.readFully(7);
            assertEquals("line 0\n", new String(first, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        startDemo();
        try (RawHttpClient c = connect()) {
            c.send(RawHttpClient.request("GET", "/hello") + RawHttpClient.request("GET", "/files/clip.webm")
                    + RawHttpClient.request("HEAD", "/files/clip.webm") + RawHttpClient.request("GET", "/nowhere"));
            assertEquals(DemoRoutes.HELLO, c.read(false).text());
            assertEquals("0123456789", c.read(false).text());
            RawHttpClient.Response head = c.read(true);
            assertEquals("10", head.header("Content-Length"));
            assertEquals(404, c.read(false).status());
            assertEquals(DemoRoutes.HELLO, c.get("/hello").text(), "the connection goes on");
        }
    }

    @Test
    void headSendsTheHeadOfGetAndNoBody() throws Exception {
        startDemo();
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response head = c.send(RawHttpClient.request("HEAD", "/files/clip.webm")).read(true);
            assertEquals(200, head.status());
            assertEquals("10", head.header("Content-Length"));
            assertEquals("video/webm", head.header("Content-Type"));
            assertEquals("bytes", head.header("Accept-Ranges"));
            // no body followed the head: the next response starts right after it
            assertEquals(DemoRoutes.HELLO, c.get("/hello").text());
            RawHttpClient.Response endless = c.send(RawHttpClient.request("HEAD", "/count")).read(true);
            assertEquals("chunked", endless.header("Transfer-Encoding"));
            assertEquals(DemoRoutes.HELLO, c.get("/hello").text());
        }
    }

    @Test
    void rangesAreAnsweredWith206And416() throws Exception {
        startDemo();
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response two = c.get("/files/clip.webm", "Range: bytes=0-1");
            assertEquals(206, two.status());
            assertEquals("01", two.text());
            assertEquals("bytes 0-1/10", two.header("Content-Range"));
            RawHttpClient.Response suffix = c.get("/files/clip.webm", "Range: bytes=-3");
            assertEquals("789", suffix.text());
            RawHttpClient.Response open = c.get("/files/clip.webm", "Range: bytes=4-");
            assertEquals("456789", open.text());
            RawHttpClient.Response past = c.get("/files/clip.webm", "Range: bytes=10-");
            assertEquals(416, past.status());
            assertEquals("bytes */10", past.header("Content-Range"));
            assertEquals(200, c.get("/files/clip.webm", "Range: items=0-1").status(), "not bytes: ignored");
        }
    }

    @Test
    void aHandlerThatThrowsAnswers500AndTheServerGoesOn() throws Exception {
        start(new Router().exact("/boom", ex -> {
            throw new IllegalStateException("test: a handler bug");
        }).exact("/ok", ex -> ex.respond(200, "text/plain", "ok")));
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response r = c.get("/boom");
            assertEquals(500, r.status());
            c.expectEof();
        }
        try (RawHttpClient c = connect()) {
            assertEquals("ok", c.get("/ok").text());
        }
    }

    @Test
    void percentEncodedPathsAreDecodedBeforeRouting() throws Exception {
        Files.writeString(dir.resolve("a b é.txt"), "spaced");
        start(DemoRoutes.router(dir));
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response r = c.get("/files/a%20b%20%C3%A9.txt");
            assertEquals(200, r.status());
            assertArrayEquals("spaced".getBytes(StandardCharsets.UTF_8), r.body());
            assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
            assertEquals(200, c.get("/%68ello").status(), "an encoded letter is the letter");
        }
        assertFalse(server.connectionCount() > 1);
    }
}
