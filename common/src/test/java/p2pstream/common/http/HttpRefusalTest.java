package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the server refuses, with which status, and that it closes after: other methods, malformed and oversized
 * heads, paths that escape, foreign Hosts on a loopback server, connections beyond the limits.
 */
class HttpRefusalTest extends HttpFixture {

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
}
