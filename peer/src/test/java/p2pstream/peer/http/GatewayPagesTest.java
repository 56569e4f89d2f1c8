package p2pstream.peer.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.metrics.Scrape;
import p2pstream.common.tools.Promtool;

/**
 * The gateway's own pages over real HTTP on loopback, with a real tracker and peer-server: the stream list and its
 * filter, the watch page, the JSON (parsed with Jackson), {@code /metrics} (checked by promtool), hostile names
 * escaped, the Host check and nosniff on every page.
 */
@Timeout(120)
class GatewayPagesTest {
    /** A directory "&lt;script&gt;alert(1)&lt;" holding "script&gt;.bin": a name as a hostile peer-server shares it. */
    private static final String HOSTILE = "<script>alert(1)</script>.bin";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path media() throws Exception {
        return Files.createDirectories(dir.resolve("media"));
    }

    private static String url(GatewayFixture f, String path) {
        return f.uri(path).toString();
    }

    private static JsonNode json(GatewayFixture f, String path) throws Exception {
        HttpResponse<String> r = Scrape.get(url(f, path));
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), path);
        return JSON.readTree(r.body());
    }

    @Test
    void theListLinksEachStreamToItsWatchPageFiltersAndEscapesHostileNames() throws Exception {
        GatewayFixture.randomFile(media(), "films/clip one.webm", 300_000, 1);
        GatewayFixture.randomFile(media(), HOSTILE, 1000, 2);
        try (GatewayFixture f = GatewayFixture.start(media(), dir.resolve("cache"), 0, 1 << 30)) {
            HttpResponse<String> r = Scrape.get(url(f, "/"));
            assertEquals(200, r.statusCode());
            assertEquals("text/html; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
            String page = r.body();
            assertTrue(page.contains("<a href=\"/watch/films/clip%20one.webm\">films/clip one.webm</a>"), page);
            assertTrue(page.contains("293.0 KiB"), "the size: " + page);
            assertFalse(page.contains("<script>alert"), "a hostile name is escaped: " + page);
            assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;.bin</a>"), page);
            assertTrue(page.contains("/watch/%3Cscript%3Ealert%281%29%3C/script%3E.bin"), "and its link encoded");
            String filtered = Scrape.body(url(f, "/?q=clip"));
            assertTrue(filtered.contains("films/clip one.webm") && !filtered.contains("alert"), filtered);
            assertTrue(Scrape.body(url(f, "/?q=nothing-like-it")).contains("no stream name contains this"));

            JsonNode list = json(f, "/api/streams?q=clip");
            assertEquals("clip", list.get("filter").asText());
            assertEquals(1, list.get("streams").size());
            JsonNode clip = list.get("streams").get(0);
            assertEquals("films/clip one.webm", clip.get("name").asText());
            assertEquals(300_000, clip.get("size").asLong());
            assertFalse(clip.get("live").asBoolean());
            assertEquals(1, clip.get("holders").asInt());
            assertFalse(clip.get("open").asBoolean(), "listing opens nothing");
            assertEquals("/watch/films/clip%20one.webm", clip.get("watch").asText());
            assertEquals("/stream/films/clip%20one.webm", clip.get("stream").asText());
        }
    }

    @Test
    void theWatchPagePlaysTheFileShowsItsFiguresAndAQrCodeUnderItsOwnPolicy() throws Exception {
        byte[] bytes = GatewayFixture.randomFile(media(), "films/clip.webm", 1 << 20, 3);
        GatewayFixture.randomFile(media(), HOSTILE, 1000, 4);
        try (GatewayFixture f = GatewayFixture.start(media(), dir.resolve("cache"), 0, 1 << 30)) {
            HttpResponse<String> r = Scrape.get(url(f, "/watch/films/clip.webm"));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
            String page = r.body();
            assertTrue(page.contains("<video id=\"player\" controls playsinline preload=\"auto\""
                    + " src=\"/stream/films/clip.webm\" data-api=\"/api/streams/films/clip.webm\""
                    + " data-kind=\"file\"></video>"), page);
            for (String id : FigureTexts.FILE_TILES) {
                assertTrue(page.contains("id=\"" + id + "\"") && page.contains("id=\"" + id + "-detail\""), id);
            }
            assertTrue(page.contains("id=\"playback\"") && page.contains("id=\"buffered\""), page);
            assertTrue(page.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""), "the QR code, inline");
            assertTrue(page.contains("http://127.0.0.1:" + f.gateway.address().getPort() + "/watch/films/clip.webm"),
                    "the link the QR code holds, as the browser reached the gateway");
            assertTrue(page.contains("works on this machine only"), "a loopback gateway says so");
            String policy = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(policy.startsWith("default-src 'none'") && policy.contains("media-src 'self'")
                    && policy.contains("connect-src 'self'"), policy);
            assertTrue(policy.contains("script-src '" + scriptHash(page) + "'"), "the page's one script: " + policy);

            assertArrayEquals(bytes, f.get("/stream/films/clip.webm").body());
            JsonNode s = json(f, "/api/streams/films/clip.webm");
            assertTrue(s.get("open").asBoolean());
            assertEquals(bytes.length, s.get("hereBytes").asLong());
            assertEquals(bytes.length, s.get("receivedBytes").asLong());
            assertEquals(0, s.get("ranges").get(0).get(0).asLong());
            assertEquals(bytes.length - 1, s.get("ranges").get(0).get(1).asLong());
            assertEquals(1, s.get("ranges").size(), "one range: the whole file");
            assertEquals("100%", s.get("shown").get("here").asText());
            assertTrue(s.get("sentBytes").asLong() >= bytes.length, s.toString());
            assertEquals(0, s.get("rejectedChunks").asInt());

            assertEquals(404, Scrape.get(url(f, "/watch/no-such.webm")).statusCode());
            assertEquals(404, Scrape.get(url(f, "/watch/")).statusCode());
            String hostile = Scrape.body(url(f, "/watch/%3Cscript%3Ealert%281%29%3C/script%3E.bin"));
            assertFalse(hostile.contains("<script>alert"), hostile);
            assertTrue(hostile.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;.bin</title>"), hostile);
        }
    }

    @Test
    void aStreamNotOpenIsLookedUpNotOpenedAndAnUnknownOneIs404() throws Exception {
        GatewayFixture.randomFile(media(), "song.mp3", 200_000, 5);
        try (GatewayFixture f = GatewayFixture.start(media(), dir.resolve("cache"), 0, 1 << 30)) {
            JsonNode s = json(f, "/api/streams/song.mp3");
            assertFalse(s.get("open").asBoolean());
            assertEquals(200_000, s.get("size").asLong());
            assertEquals(1, s.get("holders").asInt());
            assertEquals(1, s.get("completeHolders").asInt());
            assertEquals(0, json(f, "/api/status").get("fileStreams").asInt(), "looking up opened nothing");
            HttpResponse<String> unknown = Scrape.get(url(f, "/api/streams/no-such"));
            assertEquals(404, unknown.statusCode());
            assertTrue(JSON.readTree(unknown.body()).get("error").asText().contains("no-such"), unknown.body());
        }
    }

    @Test
    void statusAndMetricsCountADownloadAndPromtoolTakesTheMetrics() throws Exception {
        byte[] bytes = GatewayFixture.randomFile(media(), "movie.mp4", 3 << 20, 6);
        try (GatewayFixture f = GatewayFixture.start(media(), dir.resolve("cache"), 0, 1 << 30)) {
            assertArrayEquals(bytes, f.get("/stream/movie.mp4").body());
            assertEquals(404, f.get("/stream/none.mp4").statusCode());
            await("the reader gone", () -> {
                try {
                    return json(f, "/api/status").get("readers").asInt() == 0;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            JsonNode st = json(f, "/api/status");
            assertEquals(bytes.length, st.get("receivedBytes").asLong());
            assertEquals(bytes.length, st.get("httpSentBytes").asLong());
            assertEquals(12, st.get("chunksVerified").asInt(), "3 MiB in 256 KiB chunks");
            assertEquals(1, st.get("fileStreams").asInt());
            assertEquals(bytes.length, st.get("cacheBytes").asLong());
            assertTrue(st.get("loopbackOnly").asBoolean());
            String front = Scrape.get(url(f, "/")).body();
            assertTrue(front.matches("(?s).*<h2>Peers</h2>.*<td>127\\.0\\.0\\.1:\\d+</td><td>direct</td><td[^>]*>"
                    + "3\\.0 MiB</td>.*"), "the front page lists the peer, how it was reached, what came: " + front);

            HttpResponse<String> m = Scrape.get(url(f, "/metrics"));
            assertEquals("text/plain; version=0.0.4; charset=utf-8", m.headers().firstValue("Content-Type")
                    .orElse(""));
            String text = m.body();
            assertEquals(bytes.length, Scrape.value(text, "p2pstream_gateway_received_bytes_total"));
            assertEquals(bytes.length, Scrape.value(text, "p2pstream_gateway_http_sent_bytes_total"));
            assertEquals(12, Scrape.value(text, "p2pstream_gateway_chunks_verified_total"));
            assertEquals(0, Scrape.value(text, "p2pstream_gateway_chunks_rejected_total"));
            assertEquals(1, Scrape.value(text, "p2pstream_gateway_streams_opened_total{kind=\"file\"}"));
            assertEquals(1, Scrape.value(text, "p2pstream_gateway_streams_open{kind=\"file\"}"));
            assertEquals(bytes.length, Scrape.value(text, "p2pstream_gateway_cache_bytes"));
            assertEquals(1, Scrape.value(text, "p2pstream_gateway_first_byte_seconds_count"));
            assertEquals(1, Scrape.value(text, "p2pstream_gateway_http_requests_total{status=\"4xx\"}"));
            assertTrue(Scrape.value(text, "p2pstream_gateway_peer_sessions_total") >= 1, text);
            assertFalse(text.contains("movie.mp4"), "no label names a stream");
            Promtool.ensure(dir);
            Promtool.assertAccepts(dir, text);
        }
    }

    @Test
    void everyPageRefusesAForeignHostOnALoopbackGateway() throws Exception {
        GatewayFixture.randomFile(media(), "a.ts", 1000, 7);
        try (GatewayFixture f = GatewayFixture.start(media(), dir.resolve("cache"), 0, 1 << 30)) {
            for (String path : new String[] {"/", "/watch/a.ts", "/api/streams", "/api/streams/a.ts", "/api/status",
                "/metrics"}) {
                assertEquals(403, status(f, path, "rebound.example.com"), path);
                assertEquals(200, status(f, path, "localhost:" + f.gateway.address().getPort()), path);
            }
        }
    }

    /** The status of a GET with this Host header, over a raw socket (HttpClient will not send another Host). */
    private static int status(GatewayFixture f, String path, String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", f.gateway.address().getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(response.contains("\r\nX-Content-Type-Options: nosniff\r\n"), response);
            return Integer.parseInt(response.substring(9, 12));
        }
    }

    private static String scriptHash(String page) throws Exception {
        Matcher m = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL).matcher(page);
        assertTrue(m.find(), page);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(m.group(1).getBytes(StandardCharsets.UTF_8));
        return "sha256-" + Base64.getEncoder().encodeToString(digest);
    }
}
