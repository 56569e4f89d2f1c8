package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Status codes, headers, keep-alive, pipelining and HEAD of the server, over real loopback sockets. */
class HttpServerTest extends HttpFixture {
    @TempDir
    Path dir;

    private HttpServer startDemo() throws Exception {
        Files.writeString(dir.resolve("clip.webm"), "0123456789");
        return start(DemoRoutes.router(dir));
    }

    private static void assertStandardHeaders(RawHttpClient.Response r) {
        assertEquals("nosniff", r.header("X-Content-Type-Options"), "every response says nosniff");
        assertEquals("p2pstream", r.header("Server"));
    }

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
        AtomicInteger connections = new AtomicInteger();
        startDemo();
        try (RawHttpClient c = connect()) {
            for (int i = 0; i < 5; i++) {
                assertEquals(DemoRoutes.HELLO, c.get("/hello").text());
                connections.set(server.connectionCount());
            }
            assertEquals(1, connections.get());
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
    void otherMethodsGet405WithAllowThenClose() throws Exception {
        startDemo();
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS", "BREW")) {
            try (RawHttpClient c = connect()) {
                RawHttpClient.Response r = c.send(RawHttpClient.request(method, "/hello")).read(false);
                assertEquals(405, r.status(), method);
                assertEquals("GET, HEAD", r.header("Allow"));
                assertStandardHeaders(r);
                c.expectEof();
            }
        }
    }

    @Test
    void malformedAndOversizedHeadsGetTheirStatusThenClose() throws Exception {
        startDemo();
        String longTarget = "/" + "a".repeat(RequestParser.MAX_REQUEST_LINE_BYTES);
        String bigHeader = "X-Big: " + "b".repeat(RequestParser.MAX_HEAD_BYTES);
        StringBuilder many = new StringBuilder("GET /hello HTTP/1.1\r\nHost: localhost\r\n");
        for (int i = 0; i <= RequestParser.MAX_HEADERS; i++) {
            many.append("X-").append(i).append(": x\r\n");
        }
        List<Object[]> cases = List.of(
                new Object[] {"GET /hello HTTP/1.1\nHost: localhost\n\n", 400},
                new Object[] {"GET /hello\r\n\r\n", 400},
                new Object[] {"GET /hello HTTP/1.1\r\n\r\n", 400},
                new Object[] {RawHttpClient.request("GET", "/hello", "Content-Length: 5") + "abcde", 400},
                new Object[] {RawHttpClient.request("GET", "/hello", "Transfer-Encoding: chunked") + "0\r\n\r\n", 400},
                new Object[] {RawHttpClient.request("GET", "/hello", " folded"), 400},
                new Object[] {RawHttpClient.request("GET", "/hello", "Bad Name: x"), 400},
                new Object[] {RawHttpClient.request("GET", "http://localhost/hello"), 400},
                new Object[] {"GET /hello HTTP/2.0\r\nHost: localhost\r\n\r\n", 505},
                new Object[] {RawHttpClient.request("GET", longTarget), 414},
                new Object[] {RawHttpClient.request("GET", "/hello", bigHeader), 431},
                new Object[] {many + "\r\n", 431});
        for (Object[] c : cases) {
            try (RawHttpClient client = connect()) {
                RawHttpClient.Response r = client.send((String) c[0]).read(false);
                assertEquals(c[1], r.status(), () -> "for " + ((String) c[0]).substring(0, 30));
                assertEquals("close", r.header("Connection"));
                assertStandardHeaders(r);
                assertTrue(r.text().startsWith(c[1] + " "), r.text());
                client.expectEof();
            }
        }
    }

    @Test
    void aRefusedHeadRequestGetsItsStatusWithoutText() throws Exception {
        startDemo();
        for (String head : List.of(RawHttpClient.request("HEAD", "/files/%2e%2e/x"),
                "HEAD /hello HTTP/1.1\r\nHost: evil.example\r\n\r\n")) {
            try (RawHttpClient c = connect()) {
                RawHttpClient.Response r = c.send(head).read(true);
                assertTrue(r.status() == 400 || r.status() == 403, head);
                assertTrue(Integer.parseInt(r.header("Content-Length")) > 0, "the length a GET would get");
                c.expectEof(); // and not a byte of it
            }
        }
    }

    @Test
    void pathsThatEscapeAreRefused() throws Exception {
        startDemo();
        for (String target : List.of("/files/../etc/passwd", "/files/%2e%2e/etc/passwd", "/files/%2E%2e/x",
                "/files/./clip.webm", "/files/a%2fb", "/files/a%5cb", "/files/a\\b", "/files//clip.webm",
                "/files/a%00b", "/files/a%0ab", "/files/%c3%28", "/files/%c0%af", "/files/%zz")) {
            try (RawHttpClient c = connect()) {
                RawHttpClient.Response r = c.get(target);
                assertEquals(400, r.status(), target);
                c.expectEof();
            }
        }
    }

    @Test
    void aLoopbackServerAnswersOnlyLoopbackHosts() throws Exception {
        startDemo();
        int port = server.localAddress().getPort();
        for (String host : List.of("localhost", "localhost:" + port, "LOCALHOST", "127.0.0.1", "127.0.0.1:" + port,
                "[::1]", "[::1]:" + port)) {
            try (RawHttpClient c = connect()) {
                RawHttpClient.Response r = c.send("GET /hello HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read(false);
                assertEquals(200, r.status(), host);
            }
        }
        for (String host : List.of("evil.example", "evil.example:" + port, "localhost.evil.example",
                "127.0.0.1.nip.io", "[::2]", "localhost:", "localhost:x", "")) {
            try (RawHttpClient c = connect()) {
                RawHttpClient.Response r = c.send("GET /hello HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read(false);
                assertEquals(403, r.status(), host);
                c.expectEof();
            }
        }
    }

    @Test
    void aServerOnAllAddressesAnswersAnyHost() throws Exception {
        Files.writeString(dir.resolve("x.txt"), "x");
        start(new InetSocketAddress(0), DemoRoutes.router(dir), HttpLimits.DEFAULTS);
        InetSocketAddress at = new InetSocketAddress("127.0.0.1", server.localAddress().getPort());
        try (RawHttpClient c = RawHttpClient.connect(at)) {
            RawHttpClient.Response r = c.send("GET /hello HTTP/1.1\r\nHost: my-box.lan:8080\r\n\r\n").read(false);
            assertEquals(200, r.status());
        }
    }

    @Test
    void connectionsBeyondTheLimitGet503() throws Exception {
        Files.writeString(dir.resolve("x.txt"), "x");
        start(DemoRoutes.router(dir), HttpLimits.DEFAULTS.withConnections(2, 2));
        try (RawHttpClient a = connect(); RawHttpClient b = connect()) {
            assertEquals(200, a.get("/hello").status());
            assertEquals(200, b.get("/hello").status());
            try (RawHttpClient extra = connect()) {
                RawHttpClient.Response r = extra.read(false);
                assertEquals(503, r.status());
                assertTrue(r.text().contains("connections"), r.text());
                assertStandardHeaders(r);
            }
        }
        await("both slots free", () -> server.connectionCount() == 0);
        try (RawHttpClient c = connect()) {
            assertEquals(200, c.get("/hello").status(), "a freed slot is taken again");
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
