package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.metrics.Scrape;
import p2pstream.common.net.Clock;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.peer.store.SharedDirectory;

/** Hashing at start tells its progress: every file found, and each one done, shareable or not. */
class HashProgressTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(30)
    void everyFileFoundIsCountedDoneOnceHashed() throws Exception {
        Files.write(dir.resolve("a.bin"), new byte[300_000]);
        Files.write(dir.resolve("b.bin"), new byte[5]);
        Files.write(dir.resolve("empty.bin"), new byte[0]);
        HashProgress progress = new HashProgress();
        try (OpenFiles open = new OpenFiles(4);
             SharedFiles files = new SharedFiles(new SharedDirectory(dir), Clock.SYSTEM, open)) {
            int shared = files.hashAll(progress).size();
            assertEquals(progress.files(), progress.filesDone());
            assertEquals(300_005, progress.bytes());
            assertEquals(progress.bytes(), progress.bytesDone());
            assertEquals(shared, progress.files(), "every file shared here");
        }
    }

    @Test
    @Timeout(30)
    void whileItHashesAServersPagesShowHowFarItHasGot() throws Exception {
        PeerServerMetrics metrics = new PeerServerMetrics();
        metrics.hashing().onStart(4, 4L << 30);
        metrics.hashing().onFileDone(1L << 30);
        try (EventLoopGroup group = new EventLoopGroup("http", 1);
             PeerServerHttp http = PeerServerHttp.open(group, new InetSocketAddress("127.0.0.1", 0), metrics)) {
            String base = PeerServerHttp.url(http.address());
            String page = Scrape.body(base);
            assertTrue(page.contains("hashing the shared files"), page);
            assertTrue(page.contains("1 of 4 files, 1.00 GiB of 4.00 GiB"), page);
            assertTrue(page.contains("width: 25.0%"), "a quarter of the bytes: " + page);
            assertFalse(page.contains("peer "), "no peer id before it serves");
            String text = Scrape.body(base + "metrics");
            assertEquals(0, Scrape.value(text, "p2pstream_peer_server_ready"));
            assertEquals(1, Scrape.value(text, "p2pstream_peer_server_startup_hashed_files"));
            assertEquals(4, Scrape.value(text, "p2pstream_peer_server_startup_files"));
            JsonNode s = new ObjectMapper().readTree(Scrape.body(base + "api/status"));
            assertFalse(s.get("ready").asBoolean());
            assertTrue(s.get("address").isNull());
            assertEquals(1L << 30, s.get("startup").get("bytesHashed").asLong());
        }
    }
}
