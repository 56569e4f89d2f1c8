package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Percent-decoding of paths, and every way to escape that it refuses. */
class RequestPathTest {

    @Test
    void escapesAndUtf8AreDecoded() throws Exception {
        assertEquals("/", RequestPath.decode("/"));
        assertEquals("/stream/a b/c+d.webm", RequestPath.decode("/stream/a%20b/c+d.webm"));
        assertEquals("/caf\u00e9/\u65e5\u672c", RequestPath.decode("/caf%C3%A9/%e6%97%a5%e6%9c%ac"));
        assertEquals("/dir/", RequestPath.decode("/dir/"), "a trailing slash stays");
        assertEquals("/a..b/.c/..d", RequestPath.decode("/a..b/.c/..d"), "dots inside names are names");
        assertEquals("/x%y", RequestPath.decode("/x%25y"));
    }

    @Test
    void everyEscapeIsRefused() {
        for (String raw : List.of("/..", "/a/../b", "/a/..", "/.", "/a/./b", "/%2e%2e/x", "/%2E%2E/x", "/a/%2e",
                "/.%2e/x", "/a%2fb", "/a%2F..%2Fb", "/a%5cb", "/a%5C..", "/a\\b", "//x", "/a//b", "/a%00", "/%0d%0a",
                "/a%1fb", "/a%7f", "/%c2%85", "/%c3%28", "/%c0%af", "/%ed%a0%80", "/%f8%88%80%80%80", "/%ff", "/a%",
                "/a%2", "/a%zz", "/a%-1", "", "x/y")) {
            HttpException e = assertThrows(HttpException.class, () -> RequestPath.decode(raw), raw);
            assertEquals(400, e.status(), raw);
        }
    }

    @Test
    void aRequestSplitsItsDecodedPathIntoSegments() throws Exception {
        HttpRequest r = new RequestParser(false).parse(ByteBuffer.wrap(
                "GET /stream/dir/x%20y.webm HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(List.of("stream", "dir", "x y.webm"), r.segments());
        assertEquals("/stream/dir/x y.webm", r.path());
    }
}
