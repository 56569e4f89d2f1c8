package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.metrics.Scrape;
import p2pstream.common.net.RawClient;
import p2pstream.common.tools.Promtool;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;
import p2pstream.peer.store.PublisherKey;
import p2pstream.tracker.Tracker;

/**
 * The peer-server's page, {@code /api/status} and {@code /metrics} for a directory with a hostile file name and for
 * a live publication, with real HTTP over loopback; and promtool on what each serves.
 */
@Timeout(60)
class PeerServerPagesTest {
    private static final String HOSTILE = "<script>alert(1)</script>.bin";

    @TempDir
    Path dir;
    private Tracker tracker;
    private PeerServer server;

    @BeforeEach
    void startTracker() throws Exception {
        tracker = Tracker.start(Tracker.Config.loopback());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        tracker.close();
    }

    private PeerServer.Config config(Path shared) {
        return PeerServer.Config.loopback(tracker.address(), shared).withHttp(new InetSocketAddress("127.0.0.1", 0));
    }

    private String url(String path) {
        return PeerServerHttp.url(server.httpAddress()) + path;
    }

    private void shareHostileName() throws Exception {
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Path file = shared.resolve(HOSTILE); // a directory "<script>alert(1)<" holding "script>.bin"
        Files.createDirectories(file.getParent());
        byte[] bytes = new byte[100_000];
        new Random(1).nextBytes(bytes);
        Files.write(file, bytes);
        Files.write(shared.resolve("plain.bin"), bytes);
        server = PeerServer.start(config(shared));
    }

    @Test
    void aFileNamedLikeMarkupIsShownEscapedAndCarriedAsIsInJson() throws Exception {
        shareHostileName();
        String page = Scrape.body(url(""));
        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;.bin"), page);
        assertFalse(page.contains("<script>alert"), "a file's name never becomes markup");
        assertTrue(page.contains("2 files"), page);
        JsonNode s = new ObjectMapper().readTree(Scrape.body(url("api/status")));
        assertEquals(HOSTILE, s.get("shown").get(0).get("name").asText(), "by name: '<' sorts before 'p'");
        assertEquals("plain.bin", s.get("shown").get(1).get("name").asText());
        assertEquals(200_000, s.get("fileBytes").asLong());
        assertEquals(2, s.get("startup").get("files").asInt());
        assertEquals(200_000, s.get("startup").get("bytesHashed").asLong());
        assertEquals(0, s.get("rejected").get("overloaded").asInt());
    }

    @Test
    void aLivePublicationShowsItsViewersAndChunksPublished() throws Exception {
        PublisherKey key = PublisherKey.generate();
        LiveManifest manifest = new LiveManifest("cam", Wire.MIN_CHUNK_BYTES, key.publicKey(), 1L);
        LiveWindow window = new LiveWindow(64);
        LiveHolding live = new LiveHolding(manifest, window, 0, 0);
        server = PeerServer.startLive(config(dir), live);
        byte[] input = new byte[3 * Wire.MIN_CHUNK_BYTES];
        LivePublisher publisher = new LivePublisher(new ByteArrayInputStream(input), manifest, key, window, 10_000)
                .start();
        assertEquals(3, publisher.ended().get(10, TimeUnit.SECONDS));
        try (RawClient viewer = RawClient.secure(server.address(), Wire.MAX_PEER_FRAME_BYTES)) {
            viewer.send(new Hello(Role.CLIENT, RawClient.PEER_ID, 0, manifest.contentId()));
            viewer.expect(MessageType.HELLO, Hello::decode);
            viewer.send(IndexMessage.request(0));
            while (viewer.read().type() != MessageType.LIVE_CHUNK.code()) {
                // HELLO's MANIFEST, the HAVEs and the end come first
            }
            await("the chunk counted", () -> liveFigure("chunksServed") == 1);
            JsonNode live0 = new ObjectMapper().readTree(Scrape.body(url("api/status"))).get("live");
            assertEquals("cam", live0.get("name").asText());
            assertEquals(1, live0.get("viewers").asInt());
            assertEquals(3, live0.get("chunksPublished").asInt());
            assertEquals(1, live0.get("peers").asInt());
            String page = Scrape.body(url(""));
            assertTrue(page.contains("Live publication") && page.contains("<td>cam</td>"), page);
            String text = Scrape.body(url("metrics"));
            assertEquals(1, Scrape.value(text, "p2pstream_peer_server_streams{kind=\"live\"}"));
            assertEquals(3, Scrape.value(text, "p2pstream_peer_server_live_published_chunks_total"));
            assertEquals(1, Scrape.value(text, "p2pstream_peer_server_live_viewers"));
            Promtool.ensure(dir);
            Promtool.assertAccepts(dir, text);
        }
    }

    @Test
    void promtoolAcceptsTheMetricsOfAServerOfFiles() throws Exception {
        Promtool.ensure(dir);
        shareHostileName();
        Scrape.get(url("nowhere"));
        Promtool.assertAccepts(dir, Scrape.body(url("metrics")));
    }

    private long liveFigure(String field) {
        try {
            return new ObjectMapper().readTree(Scrape.body(url("api/status"))).get("live").get(field).asLong();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
