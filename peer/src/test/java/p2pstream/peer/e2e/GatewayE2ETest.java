package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.metrics.Scrape;
import p2pstream.common.tools.Promtool;
import p2pstream.common.tools.Tools;
import p2pstream.peer.Ffmpeg;

/**
 * The built jars as a user runs them: {@code peer-client TRACKER --http PORT} serves a file to curl, whole and by
 * range, and a live MPEG-TS stream that ffmpeg decodes; its pages list both, and promtool takes its metrics.
 */
class GatewayE2ETest {
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    @Test
    @Timeout(180)
    void curlGetsAFileWholeAndByRangeAndFfmpegDecodesALiveStream() throws Exception {
        Tools.ensure(dir, "curl:curl");
        Ffmpeg.ensure(dir);
        byte[] bytes = Processes.randomFile(dir.resolve("media"), "clip.bin", 6 << 20, 11);
        int trackerPort = processes.startTracker();
        String tracker = "127.0.0.1:" + trackerPort;
        processes.startPeerServer(trackerPort, dir.resolve("media"), "50MB/s");
        Processes.Listening gateway = processes.startListening("peer-client.jar", tracker, "--http", "0",
                "--cache", dir.resolve("cache").toString());
        String base = "http://127.0.0.1:" + gateway.port();

        processes.awaitListed(tracker, "clip.bin");
        Run whole = run("curl", "-sS", "--fail", base + "/stream/clip.bin");
        assertEquals(0, whole.status(), new String(whole.err(), StandardCharsets.UTF_8));
        assertArrayEquals(bytes, whole.out(), "the whole file through the gateway");
        Run range = run("curl", "-sS", "--fail", "-r", "1000000-1000099", base + "/stream/clip.bin");
        assertArrayEquals(Arrays.copyOfRange(bytes, 1_000_000, 1_000_100), range.out(), "100 bytes from 1,000,000");

        ProcessBuilder ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi",
                "-i", "testsrc=size=320x240:rate=25", "-t", "20", "-c:v", "mpeg2video", "-b:v", "600k", "-f", "mpegts",
                "-").redirectError(dir.resolve("ffmpeg.err").toFile());
        ProcessBuilder publisher = Processes.java("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker", tracker,
                "--live", "pattern", "--key", dir.resolve("publisher.key").toString())
                .redirectError(dir.resolve("publisher.err").toFile());
        Process pub = processes.pipe(ffmpeg, publisher);
        Processes.awaitPort(pub, "peer-server --live");
        processes.awaitListed(tracker, "pattern");
        Run decode = run("ffmpeg", "-v", "error", "-t", "4", "-i", base + "/stream/pattern", "-f", "null", "-");
        String errors = new String(decode.err(), StandardCharsets.UTF_8).trim();
        assertEquals(0, decode.status(), errors);
        assertEquals("", errors, "decoding errors in the live stream through the gateway");
        assertTrue(gateway.process().isAlive(), "the gateway died");

        // its own pages and metrics, as a browser and Prometheus see them
        String list = Scrape.body(base + "/");
        assertTrue(list.contains("<a href=\"/watch/clip.bin\">clip.bin</a>") && list.contains(">pattern</a>"), list);
        String watch = Scrape.body(base + "/watch/pattern");
        assertTrue(watch.contains("<video id=\"player\"") && watch.contains("src=\"/hls/pattern.m3u8\""),
                "a live MPEG-TS stream plays as HLS in the page: " + watch);
        String metrics = Scrape.body(base + "/metrics");
        assertTrue(Scrape.value(metrics, "p2pstream_gateway_received_bytes_total") > bytes.length, metrics);
        assertTrue(Scrape.value(metrics, "p2pstream_gateway_http_sent_bytes_total") > bytes.length + 100, metrics);
        assertTrue(Scrape.value(metrics, "p2pstream_gateway_first_byte_seconds_count") >= 3, "two files, one live");
        assertTrue(Scrape.value(metrics, "p2pstream_gateway_live_latency_seconds_count") >= 1, metrics);
        assertEquals(0, Scrape.value(metrics, "p2pstream_gateway_chunks_rejected_total"));
        Promtool.ensure(dir);
        Promtool.assertAccepts(dir, metrics);
    }

    @Test
    @Timeout(180)
    void aLiveStreamIsServedAsHlsWhoseSegmentsEachDecodeOnTheirOwn() throws Exception {
        Tools.ensure(dir, "curl:curl");
        Ffmpeg.ensure(dir);
        int trackerPort = processes.startTracker();
        String tracker = "127.0.0.1:" + trackerPort;
        ProcessBuilder ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi",
                "-i", "testsrc=size=320x240:rate=25", "-t", "30", "-c:v", "mpeg2video", "-g", "25", "-b:v", "600k",
                "-f", "mpegts", "-").redirectError(dir.resolve("ffmpeg.err").toFile());
        ProcessBuilder publisher = Processes.java("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker", tracker,
                "--live", "cam/main", "--key", dir.resolve("publisher.key").toString())
                .redirectError(dir.resolve("publisher.err").toFile());
        Process pub = processes.pipe(ffmpeg, publisher);
        Processes.awaitPort(pub, "peer-server --live");
        processes.awaitListed(tracker, "cam/main");
        Processes.Listening gateway = processes.startListening("peer-client.jar", tracker, "--http", "0");
        String base = "http://127.0.0.1:" + gateway.port();

        Run playlist = run("curl", "-sS", "--fail", base + "/hls/cam/main.m3u8");
        String text = new String(playlist.out(), StandardCharsets.UTF_8);
        assertEquals(0, playlist.status(), new String(playlist.err(), StandardCharsets.UTF_8));
        assertTrue(text.startsWith("#EXTM3U\n") && text.contains("#EXT-X-TARGETDURATION:"), text);
        String segment = text.lines().filter(l -> l.endsWith(".ts")).findFirst()
                .orElseThrow(() -> new AssertionError(text));
        assertTrue(segment.startsWith("main/"), "segments are relative to the playlist: " + segment);
        assertTrue(text.lines().filter(l -> l.endsWith(".ts")).count() >= 3,
                "the first playlist waits for 3 segments (Chromium's native HLS player fails on fewer): " + text);
        Path ts = dir.resolve("segment.ts");
        Run fetch = run("curl", "-sS", "--fail", "-o", ts.toString(), base + "/hls/cam/" + segment);
        assertEquals(0, fetch.status(), new String(fetch.err(), StandardCharsets.UTF_8));
        Run decodeSegment = run("ffmpeg", "-v", "error", "-i", ts.toString(), "-f", "null", "-");
        assertEquals("", new String(decodeSegment.err(), StandardCharsets.UTF_8).trim(),
                "a segment decodes on its own");
        Run decodeHls = run("ffmpeg", "-v", "error", "-t", "5", "-i", base + "/hls/cam/main.m3u8", "-f", "null", "-");
        assertEquals(0, decodeHls.status(), new String(decodeHls.err(), StandardCharsets.UTF_8));
    }

    private record Run(int status, byte[] out, byte[] err) {
    }

    private static Run run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        return new Run(p.exitValue(), out, err.join());
    }
}
