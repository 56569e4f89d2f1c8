package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import p2pstream.common.metrics.Scrape;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Streams;

/** The tracker's dashboard and {@code /api/status}: the streams they should show, escaped, bounded and filtered. */
class TrackerDashboardTest extends TrackerHttpFixture {
    private static final String HOSTILE = "<script>alert(1)</script>.mp4";

    @Test
    void theDashboardShowsTheStreamsWithTheirNamesEscaped() throws Exception {
        try (RawClient seed = session(false, 4001)) {
            announce(seed, file(id(1), HOSTILE, true));
            announce(seed, file(id(2), "films/movie & more.mkv", true));
            HttpResponse<String> r = Scrape.get(base);
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'none'"));
            String page = r.body();
            assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;.mp4"), page);
            assertFalse(page.contains("<script>alert"), "a stream's name never becomes markup");
            assertTrue(page.contains("films/movie &amp; more.mkv"), page);
            assertTrue(page.contains(id(1).shortHex()), "the short content id");
            assertTrue(page.contains("2 streams"), page);
        }
    }

    @Test
    void theFilterPicksStreamsByNameAndThePageIsBounded() throws Exception {
        try (RawClient seed = session(false, 4001)) {
            int streams = StreamTableScan.MAX_SHOWN + 20;
            for (int i = 0; i < streams; i++) {
                seed.send(file(id(1000 + i), String.format("clip-%04d.webm", i), true));
            }
            announce(seed, file(id(1), "Holiday Movie.mp4", true));
            String all = Scrape.body(base);
            assertTrue(all.contains("the first 500 of " + (streams + 1) + " streams"), all);
            // by name: "Holiday..." sorts before "clip-..." (upper case first), so the clips shown end at 0498
            assertTrue(all.contains("clip-0498.webm") && !all.contains("clip-0499.webm"), "500 rows, by name");
            String picked = Scrape.body(base + "?q=" + URLEncoder.encode("holiday movie", StandardCharsets.UTF_8));
            assertTrue(picked.contains("Holiday Movie.mp4"), picked);
            assertFalse(picked.contains("clip-0000.webm"), picked);
            assertTrue(picked.contains("1 stream whose name contains &quot;holiday movie&quot;"), picked);
            assertTrue(picked.contains("value=\"holiday movie\""), "the filter stays in its box");
        }
    }

    @Test
    void apiStatusIsJsonWithTheFiguresAndTheStreams() throws Exception {
        try (RawClient publisher = session(false, 4001); RawClient v1 = session(true, 4002);
             RawClient v2 = session(true, 4003)) {
            announce(publisher, live(id(7), "cam"));
            announce(v1, live(id(7), "cam"));
            announce(v2, live(id(7), "cam"));
            announce(publisher, file(id(1), HOSTILE, true));
            HttpResponse<String> r = Scrape.get(base + "api/status");
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
            JsonNode s = new ObjectMapper().readTree(r.body());
            assertEquals(3, s.get("sessions").asInt());
            assertEquals(2, s.get("streams").asInt());
            assertEquals(4, s.get("entries").asInt());
            assertEquals(tracker.address().getPort(), Integer.parseInt(s.get("address").asText().split(":")[1]));
            assertTrue(s.get("registryBytes").asLong() > 0 && s.get("registryLimitBytes").asLong() > 0);
            assertTrue(s.get("lookupsPerSecond").isNumber());
            assertEquals(0, s.get("refusals").get("max_memory").asInt());
            assertEquals(2, s.get("matching").asInt());
            assertEquals(1, s.get("liveMatching").asInt());
            JsonNode hostile = s.get("shown").get(0);
            assertEquals(HOSTILE, hostile.get("name").asText(), "JSON carries the name as it is");
            assertEquals(id(1).hex(), hostile.get("contentId").asText());
            assertEquals(4L * CHUNK, hostile.get("size").asLong());
            assertEquals(1, hostile.get("complete").asInt());
            JsonNode cam = s.get("shown").get(1);
            assertEquals("cam", cam.get("name").asText());
            assertTrue(cam.get("live").asBoolean());
            assertTrue(cam.get("size").isNull());
            assertEquals(3, cam.get("partial").asInt());
            assertEquals(2, cam.get("viewers").asInt(), "the two peer-clients, not the publisher");
            assertEquals(1, cam.get("hosts").asInt(), "all on 127.0.0.1");
        }
    }

    @Test
    void aViewerLeavingALiveStreamLeavesTheViewerCount() throws Exception {
        try (RawClient publisher = session(false, 4001)) {
            announce(publisher, live(id(7), "cam"));
            try (RawClient viewer = session(true, 4002)) {
                announce(viewer, live(id(7), "cam"));
                assertEquals(1, new ObjectMapper().readTree(Scrape.body(base + "api/status")).get("shown").get(0)
                        .get("viewers").asInt());
            }
            await("the viewer's entry gone", () -> tracker.entryCount() == 1);
            publisher.send(new ListStreams("", 1));
            publisher.expect(MessageType.STREAMS, Streams::decode);
            assertEquals(0, new ObjectMapper().readTree(Scrape.body(base + "api/status")).get("shown").get(0)
                    .get("viewers").asInt());
        }
    }
}
