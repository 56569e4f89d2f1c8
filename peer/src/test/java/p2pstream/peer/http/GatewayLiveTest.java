package p2pstream.peer.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.metrics.Scrape;
import p2pstream.peer.client.TestLive;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Timings;
import p2pstream.peer.viewer.Viewer;

/**
 * A live stream through the gateway: an endless body that is the published stream from some chunk on; its watch
 * page and figures.
 */
@Timeout(60)
class GatewayLiveTest {
    @TempDir
    Path dir;

    private static JsonNode figures(String base) {
        try {
            return new ObjectMapper().readTree(Scrape.body(base + "/api/streams/stage/cam"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A gateway on loopback port 0 asking {@code live}'s tracker. */
    private Gateway gateway(TestLive live) throws Exception {
        Viewer.Config viewer = new Viewer.Config(live.tracker.address(), true, 0, 0, InetAddress.getLoopbackAddress(),
                Timings.DEFAULT);
        StreamRequest streams = new StreamRequest("-", List.of(), 8, 64, 10_000, 2_000, null, 0, 0, 2_000, null);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        return Gateway.start(new Gateway.Config(viewer, any, streams, dir.resolve("cache"), 1 << 30));
    }

    @Test
    void aLiveStreamIsAnEndlessChunkedBodyOfThePublishedStreamFromAChunkOn() throws Exception {
        try (TestLive live = TestLive.start("cam", 200_000, 4_000, 0, 1)) {
            live.awaitChunks(2, 10_000);
            try (Gateway gateway = gateway(live)) {
                HttpClient http = HttpClient.newBuilder().build();
                URI uri = URI.create("http://127.0.0.1:" + gateway.address().getPort() + "/stream/cam");
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build();
                HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, r.statusCode());
                assertEquals("video/mp2t", r.headers().firstValue("Content-Type").orElse(""));
                assertTrue(r.headers().firstValue("Content-Length").isEmpty(), "an endless body has no length");
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                try (InputStream in = r.body()) {
                    in.transferTo(body); // the body ends when the publisher ends the stream
                }
                live.publisher.ended().get(30, TimeUnit.SECONDS);
                byte[] bytes = body.toByteArray();
                int start = live.startOf(bytes);
                assertTrue(bytes.length > 0 && start >= 0, "the body is the stream from a chunk to its end: "
                        + live.explain(bytes));
            }
        }
    }

    @Test
    void aLiveStreamsWatchPageSaysWhenItIsNotMpegTsAndItsFiguresShowItsLatency() throws Exception {
        try (TestLive live = TestLive.start("stage/cam", 200_000, 60_000, 0, 1)) {
            live.awaitChunks(2, 10_000);
            try (Gateway gateway = gateway(live)) {
                String base = "http://127.0.0.1:" + gateway.address().getPort();
                String page = Scrape.body(base + "/watch/stage/cam");
                assertTrue(page.contains("not MPEG-TS") && !page.contains("<video"), "random bytes cannot be cut"
                        + " into HLS, and the page says so instead of showing a player that fails: " + page);
                assertTrue(page.contains("vlc http://127.0.0.1:" + gateway.address().getPort() + "/stream/stage/cam"),
                        page);
                for (String id : FigureTexts.LIVE_TILES) {
                    assertTrue(page.contains("id=\"" + id + "\""), id);
                }
                JsonNode s = figures(base);
                assertTrue(s.get("live").asBoolean() && s.get("open").asBoolean(), s.toString());
                assertFalse(s.get("transportStream").asBoolean());
                assertEquals("/hls/stage/cam.m3u8", s.get("hls").asText());
                assertTrue(s.get("receivedBytes").asLong() > 0, s.toString());
                // the chunks after the join are measured: their latency from publishing is shown
                await("a chunk's latency measured", () -> figures(base).get("latencyMillis").asLong() >= 0);
                String metrics = Scrape.body(base + "/metrics");
                assertTrue(Scrape.value(metrics, "p2pstream_gateway_live_latency_seconds_count") >= 1, metrics);
                assertEquals(1, Scrape.value(metrics, "p2pstream_gateway_streams_open{kind=\"live\"}"));
            }
        }
    }

    @Test
    void aLiveStreamOpenByNameIsReadByItsContentIdAsWell() throws Exception {
        try (TestLive live = TestLive.start("cam", 200_000, 6_000, 0, 1)) {
            live.awaitChunks(2, 10_000);
            try (Gateway gateway = gateway(live)) {
                String base = "http://127.0.0.1:" + gateway.address().getPort();
                Scrape.body(base + "/watch/cam"); // opens it by name
                String id = new ObjectMapper().readTree(Scrape.body(base + "/api/streams/cam")).get("contentId")
                        .asText();
                HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/stream/" + id))
                        .timeout(Duration.ofSeconds(30)).build();
                HttpResponse<InputStream> r = HttpClient.newBuilder().build()
                        .send(request, HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, r.statusCode());
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                try (InputStream in = r.body()) {
                    in.transferTo(body); // the chunks reach this response, and its end when the publisher ends
                }
                byte[] bytes = body.toByteArray();
                assertTrue(bytes.length > 0 && live.startOf(bytes) >= 0, live.explain(bytes));
            }
        }
    }
}
