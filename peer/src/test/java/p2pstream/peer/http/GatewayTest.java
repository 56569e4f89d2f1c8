package p2pstream.peer.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.Await;
import p2pstream.peer.store.Manifest;

/** The gateway's file streams over real HTTP on loopback: statuses, headers and bytes as players need them. */
@Timeout(120)
class GatewayTest {
    @TempDir
    Path dir;

    private Path media() throws Exception {
        return Files.createDirectories(dir.resolve("media"));
    }

    @Test
    void aWholeFileIsServedWith200ItsLengthTypeAndIdenticalBytes() throws Exception {
        byte[] bytes = GatewayFixture.randomFile(media(), "films/clip.webm", 3 << 20, 1);
        try (GatewayFixture f = GatewayFixture.start(media(), dir.resolve("cache"), 0, 1 << 30)) {
            HttpResponse<byte[]> r = f.get("/stream/films/clip.webm");
            assertEquals(200, r.statusCode());
            assertEquals("video/webm", r.headers().firstValue("Content-Type").orElse(""));
            assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElse(""));
            assertEquals(String.valueOf(bytes.length), r.headers().firstValue("Content-Length").orElse(""));
            assertArrayEquals(bytes, r.body());
        }
    }

    @Test
    void rangesAreAnsweredWith206AndContentRangeAsPlayersAskForThem() throws Exception {
        byte[] bytes = GatewayFixture.randomFile(media(), "movie.mp4", 5 << 20, 2);
        int n = bytes.length;
        try (GatewayFixture f = GatewayFixture.start(media(), dir.resolve("cache"), 0, 1 << 30)) {
            assertRange(f, "bytes=0-1", 0, 1, n, bytes);
            assertRange(f, "bytes=1000000-", 1_000_000, n - 1, n, bytes);
            assertRange(f, "bytes=-100", n - 100, n - 1, n, bytes);
            assertRange(f, "bytes=300-399, 500-599", 300, 399, n, bytes);
            assertRange(f, "bytes=262140-262150", 262_140, 262_150, n, bytes); // across a chunk boundary
            assertRange(f, "bytes=" + (n - 10) + "-" + (n + 1000), n - 10, n - 1, n, bytes); // past the end: clipped
            HttpResponse<byte[]> past = f.get("/stream/movie.mp4", "Range", "bytes=" + n + "-");
            assertEquals(416, past.statusCode());
            assertEquals("bytes */" + n, past.headers().firstValue("Content-Range").orElse(""));
        }
    }

    private static void assertRange(GatewayFixture f, String range, long first, long last, int size, byte[] bytes)
            throws Exception {
        HttpResponse<byte[]> r = f.get("/stream/movie.mp4", "Range", range);
        assertEquals(206, r.statusCode(), range);
        assertEquals("bytes " + first + "-" + last + "/" + size, r.headers().firstValue("Content-Range").orElse(""),
                range);
        assertArrayEquals(Arrays.copyOfRange(bytes, (int) first, (int) last + 1), r.body(), range);
    }

    @Test
    void anUnknownStreamIs404AndHeadAnswersTheHeadersAlone() throws Exception {
        byte[] bytes = GatewayFixture.randomFile(media(), "a.ts", 100_000, 3);
        try (GatewayFixture f = GatewayFixture.start(media(), dir.resolve("cache"), 0, 1 << 30)) {
            assertEquals(404, f.get("/stream/no-such.ts").statusCode());
            HttpResponse<Void> head = f.head("/stream/a.ts");
            assertEquals(200, head.statusCode());
            assertEquals(String.valueOf(bytes.length), head.headers().firstValue("Content-Length").orElse(""));
            assertEquals("video/mp2t", head.headers().firstValue("Content-Type").orElse(""));
        }
    }

    @Test
    void aStreamAskedByNameAndByContentIdIsOneStreamServedBothWays() throws Exception {
        byte[] bytes = GatewayFixture.randomFile(media(), "song.mp3", 1 << 20, 4);
        try (GatewayFixture f = GatewayFixture.start(media(), dir.resolve("cache"), 0, 1 << 30)) {
            assertArrayEquals(bytes, f.get("/stream/song.mp3").body());
            String id = f.server.manifests().stream().map(Manifest::contentId).findFirst().orElseThrow().hex();
            HttpResponse<byte[]> byId = f.get("/stream/" + id);
            assertEquals(200, byId.statusCode());
            assertArrayEquals(bytes, byId.body());
            try (var files = Files.list(f.cache)) {
                assertEquals(1, files.filter(p -> !p.getFileName().toString().endsWith(".p2ps")).count(),
                        "one store for one content, however it was asked");
            }
        }
    }

    @Test
    void concurrentRangesOfAStreamStillArrivingGetIdenticalBytes() throws Exception {
        byte[] bytes = GatewayFixture.randomFile(media(), "slow.mkv", 8 << 20, 5);
        try (GatewayFixture f = GatewayFixture.start(media(), dir.resolve("cache"), 6_000_000, 1 << 30)) {
            List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
            long[][] ranges = {{0, bytes.length - 1}, {3_000_000, 5_999_999}, {7_000_000, bytes.length - 1},
                {100, 200}};
            for (long[] r : ranges) {
                all.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return f.get("/stream/slow.mkv", "Range", "bytes=" + r[0] + "-" + r[1]);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (int i = 0; i < ranges.length; i++) {
                HttpResponse<byte[]> r = all.get(i).get();
                assertEquals(206, r.statusCode());
                assertArrayEquals(Arrays.copyOfRange(bytes, (int) ranges[i][0], (int) ranges[i][1] + 1), r.body(),
                        "range " + ranges[i][0] + "-" + ranges[i][1]);
            }
            assertTrue(f.server.uploadedBytes() < 2L * bytes.length, "one fetch shared by the requests: "
                    + f.server.uploadedBytes() + " bytes sent for a file of " + bytes.length);
        }
    }

    @Test
    void aSeekNearTheEndOfALargeFileIsAnsweredWithoutFetchingWhatLiesBefore() throws Exception {
        byte[] bytes = GatewayFixture.randomFile(media(), "big.bin", 64 << 20, 6);
        try (GatewayFixture f = GatewayFixture.start(media(), dir.resolve("cache"), 8_000_000, 1L << 30)) {
            long first = bytes.length - 300_000;
            HttpResponse<byte[]> r = f.get("/stream/big.bin", "Range", "bytes=" + first + "-");
            assertEquals(206, r.statusCode());
            assertArrayEquals(Arrays.copyOfRange(bytes, (int) first, bytes.length), r.body());
            assertTrue(f.server.uploadedBytes() < 16L << 20, "a seek fetched " + f.server.uploadedBytes()
                    + " bytes of a 64 MiB file (expected: its end and a window, not what lies before)");
        }
    }

    @Test
    void aResponseWhoseStreamFailsEndsInsteadOfWaitingForever() throws Exception {
        GatewayFixture.randomFile(media(), "lost.bin", 64 << 20, 9);
        try (GatewayFixture f = GatewayFixture.start(media(), dir.resolve("cache"), 2_000_000, 1L << 30)) {
            CompletableFuture<HttpResponse<byte[]>> r = f.http.sendAsync(HttpRequest.newBuilder(
                    f.uri("/stream/lost.bin")).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            Await.await("the first MiB sent", () -> f.server.uploadedBytes() > 1 << 20);
            f.server.close(); // its only peer: the stream fails once no peer delivered for the no-peer time
            ExecutionException e = assertThrows(ExecutionException.class, () -> r.get(50, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IOException && !(e.getCause() instanceof HttpTimeoutException),
                    "the response ended with " + e.getCause() + " (expected: the connection closed before its length)");
        }
    }

    @Test
    void streamsNoPlayerUsesAreEvictedBeyondTheCacheSize() throws Exception {
        GatewayFixture.randomFile(media(), "one.bin", 2 << 20, 7);
        byte[] two = GatewayFixture.randomFile(media(), "two.bin", 2 << 20, 8);
        Path cache = dir.resolve("cache");
        try (GatewayFixture f = GatewayFixture.start(media(), cache, 0, 3 << 20)) {
            assertEquals(200, f.get("/stream/one.bin").statusCode());
            assertEquals(2, storeFiles(cache), "one.bin and its record");
            assertArrayEquals(two, f.get("/stream/two.bin").body());
            assertEquals(2, storeFiles(cache), "one.bin evicted for two.bin: 4 MiB would not fit 3 MiB");
            assertArrayEquals(GatewayFixture.randomFileBytes(2 << 20, 7), f.get("/stream/one.bin").body(),
                    "asked again, fetched again");
        }
    }

    private static long storeFiles(Path cache) throws Exception {
        try (var files = Files.list(cache)) {
            return files.count();
        }
    }
}
