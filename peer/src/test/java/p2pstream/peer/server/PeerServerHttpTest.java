package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.peer.server.PeerSteps.fetch;
import static p2pstream.peer.server.PeerSteps.peerHello;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.metrics.Scrape;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Reject;

/**
 * A real peer-server with {@code --http} on loopback port 0: its {@code /metrics}, page and {@code /api/status}
 * scraped with a real HTTP client while a raw peer fetches chunks from it.
 */
@Timeout(60)
class PeerServerHttpTest extends PeerServerFixture {
    private String base;

    @Override
    PeerServer.Config configure(PeerServer.Config config) {
        return config.withHttp(new InetSocketAddress("127.0.0.1", 0));
    }

    private String url(String path) {
        if (base == null) {
            base = PeerServerHttp.url(server.httpAddress());
        }
        return base + path;
    }

    private double metric(String series) {
        try {
            return Scrape.value(Scrape.body(url("metrics")), series);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private JsonNode status() throws Exception {
        HttpResponse<String> r = Scrape.get(url("api/status"));
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void metricsSayItIsReadyWithItsHashedFileAndNothingServedYet() throws Exception {
        HttpResponse<String> r = Scrape.get(url("metrics"));
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        String text = r.body();
        assertEquals(1, Scrape.value(text, "p2pstream_peer_server_ready"));
        assertEquals(1, Scrape.value(text, "p2pstream_peer_server_startup_files"));
        assertEquals(1, Scrape.value(text, "p2pstream_peer_server_startup_hashed_files"));
        assertEquals(FILE_BYTES, Scrape.value(text, "p2pstream_peer_server_startup_hashed_bytes"));
        assertEquals(1, Scrape.value(text, "p2pstream_peer_server_streams{kind=\"file\"}"));
        assertEquals(0, Scrape.value(text, "p2pstream_peer_server_streams{kind=\"live\"}"));
        assertEquals(0, Scrape.value(text, "p2pstream_peer_server_chunks_served_total"));
        assertEquals(0, Scrape.value(text, "p2pstream_peer_server_sessions"));
    }

    @Test
    void servingChunksMovesTheCountersAndTheStreamsFigures() throws Exception {
        int chunkFrameBytes = ChunkHeader.BYTES + manifest.chunkSize();
        try (RawClient c = PeerSteps.connect(server.address())) {
            peerHello(c, manifest);
            fetch(c, manifest, file, 0, 1);
            await("two chunks counted", () -> metric("p2pstream_peer_server_chunks_served_total") == 2);
            assertEquals(2.0 * chunkFrameBytes, metric("p2pstream_peer_server_sent_bytes_total"));
            assertEquals(1, metric("p2pstream_peer_server_sessions"));
            assertEquals(1, metric("p2pstream_peer_server_sessions_opened_total"));
            JsonNode s = status();
            assertEquals(1, s.get("sessions").asInt());
            JsonNode movie = s.get("shown").get(0);
            assertEquals("movie.bin", movie.get("name").asText());
            assertEquals(manifest.contentId().hex(), movie.get("contentId").asText());
            assertEquals(FILE_BYTES, movie.get("size").asLong());
            assertEquals(manifest.chunkCount(), movie.get("chunks").asInt());
            assertEquals(2, movie.get("chunksServed").asInt());
            assertEquals(2L * chunkFrameBytes, movie.get("sentBytes").asLong());
            assertEquals(1, movie.get("peers").asInt(), "the peer being served now");
        }
        await("the session gone", () -> metric("p2pstream_peer_server_sessions") == 0);
        assertEquals(0, status().get("shown").get(0).get("peers").asInt());
        assertEquals(2, status().get("shown").get(0).get("chunksServed").asInt(), "what was served stays counted");
    }

    @Test
    void aChunkTheFileNoLongerHoldsIsCountedAsRejectedUnavailable() throws Exception {
        try (FileChannel ch = FileChannel.open(dir.resolve("movie.bin"), StandardOpenOption.WRITE)) {
            ch.truncate(manifest.chunkSize()); // the last chunks are gone before the watch notices
        }
        try (RawClient c = PeerSteps.connect(server.address())) {
            peerHello(c, manifest);
            int last = manifest.chunkCount() - 1;
            c.send(IndexMessage.request(last));
            assertEquals(Reject.Reason.UNAVAILABLE, c.expect(MessageType.REJECT, Reject::decode).reason());
        }
        await("the reject counted",
                () -> metric("p2pstream_peer_server_requests_rejected_total{reason=\"unavailable\"}") == 1);
        assertEquals(0, metric("p2pstream_peer_server_requests_rejected_total{reason=\"not_held\"}"));
        assertEquals(1, status().get("rejected").get("unavailable").asInt());
    }

    @Test
    void thePageShowsWhatIsSharedAndServed() throws Exception {
        HttpResponse<String> r = Scrape.get(url(""));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        String page = r.body();
        assertTrue(page.contains("movie.bin"), page);
        assertTrue(page.contains(manifest.contentId().shortHex()), page);
        assertTrue(page.contains("1.0 MiB"), page);
        assertTrue(page.contains("peer " + server.peerId()), "the title bar names the peer id");
        assertFalse(Scrape.body(url("?q=nothing-like-it")).contains("<td>movie.bin</td>"), "the filter applies");
        assertTrue(Scrape.body(url("?q=MOVIE")).contains("<td>movie.bin</td>"), "case ignored");
        JsonNode s = status();
        assertTrue(s.get("ready").asBoolean());
        assertEquals(server.peerId().toString(), s.get("peerId").asText());
        assertEquals(1, s.get("startup").get("filesHashed").asInt());
        assertEquals(1, s.get("files").asInt());
        assertTrue(s.get("live").isNull());
        assertEquals(4, metric("p2pstream_peer_server_http_requests_total{status=\"2xx\"}"),
                "the page, two filtered pages and the status counted, this scrape not yet");
    }
}
