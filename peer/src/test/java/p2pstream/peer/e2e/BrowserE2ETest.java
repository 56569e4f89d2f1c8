package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.peer.Ffmpeg;

/**
 * A real browser through the gateway: headless Chromium (Debian's, driven by its chromedriver) plays a VP9 WebM, an
 * H.264 MP4 whose index (moov) comes after its media, seeking near its end and into its middle, and a live H.264
 * stream's HLS playlist with its native HLS player; ffmpeg decodes the same live stream from {@code /stream/NAME}.
 * The built jars run as a user runs them: a tracker, a peer-server sharing the files, a live publisher fed by
 * ffmpeg, and {@code peer-client TRACKER --http 0}. On a failure the browser's console, the media element's events
 * and the gateway's stderr are printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserE2ETest {
    private static final int MP4_SECONDS = 30;
    private static final String LIVE = "cam/main";
    private final Processes processes = new Processes();
    private HeadlessChromium chromium;
    private String gateway;
    private Path dir;

    @RegisterExtension
    final TestWatcher diagnostics = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            System.err.println(diagnostics(context.getDisplayName()));
        }
    };

    @BeforeAll
    @Timeout(600) // apt-get may have chromium and ffmpeg to install first
    void startEverything(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        HeadlessChromium.ensure(dir);
        Ffmpeg.ensure(dir);
        Path media = Files.createDirectories(dir.resolve("media"));
        Ffmpeg.testPattern(media.resolve("clip.webm"), 6, "320x240", "-c:v", "libvpx-vp9", "-deadline", "realtime",
                "-cpu-used", "8", "-b:v", "300k");
        // about 3.8 MB, 15 chunks of 256 KiB; no -movflags +faststart: ffmpeg writes the moov after the mdat
        Ffmpeg.testPattern(media.resolve("clip.mp4"), MP4_SECONDS, "640x360", "-c:v", "libx264", "-preset",
                "ultrafast", "-pix_fmt", "yuv420p", "-b:v", "1M", "-g", "25");
        List<String> boxes = topLevelBoxes(media.resolve("clip.mp4"));
        assertTrue(boxes.indexOf("moov") > boxes.indexOf("mdat") && boxes.contains("mdat"),
                "the MP4 keeps its moov after its mdat: " + boxes);

        int trackerPort = processes.startTracker();
        String tracker = "127.0.0.1:" + trackerPort;
        processes.startPeerServer(trackerPort, media, "20MB/s");
        // H.264 and AAC, what a browser decodes (MPEG-2 video, as in demo-live.sh, it does not); a key frame a second
        ProcessBuilder ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi",
                "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", "120", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
                "-g", "25", "-b:v", "500k", "-c:a", "aac", "-b:a", "64k", "-f", "mpegts", "-")
                .redirectError(dir.resolve("ffmpeg.err").toFile());
        ProcessBuilder publisher = Processes.java("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker", tracker,
                "--live", LIVE, "--key", dir.resolve("publisher.key").toString())
                .redirectError(dir.resolve("publisher.err").toFile());
        Processes.awaitPort(processes.pipe(ffmpeg, publisher), "peer-server --live");
        // at debug: a failure prints gateway.err, and aVp9WebmPlays's rare stall (no response to a fresh Chromium's
        // first request) says there whether the request reached the gateway
        Process gatewayProcess = processes.start(Processes.java("peer-client.jar", tracker, "--log-level", "debug",
                "--http", "0", "--cache",
                dir.resolve("cache").toString()).redirectError(dir.resolve("gateway.err").toFile()));
        gateway = "http://127.0.0.1:" + Processes.awaitPort(gatewayProcess, "the gateway");
        processes.awaitListed(tracker, "clip.webm", "clip.mp4", LIVE);
        chromium = new HeadlessChromium(dir);
    }

    @AfterAll
    void stopEverything() throws InterruptedException {
        if (chromium != null) {
            chromium.close();
        }
        processes.close();
    }

    @Test
    @Timeout(60)
    void aVp9WebmPlays() {
        chromium.play(gateway + "/stream/clip.webm");
        HeadlessChromium.Media m = chromium.await("the WebM playing past 1.5 s", 20,
                s -> s.decoding() && s.currentTime() >= 1.5);
        assertEquals(320, m.videoWidth(), m.toString());
        assertEquals(6.0, m.duration(), 0.1, "the WebM's duration: " + m);
    }

    @Test
    @Timeout(60)
    void anMp4WithItsIndexAtTheEndPlaysSeeksAndPlaysOn() {
        chromium.play(gateway + "/stream/clip.mp4");
        HeadlessChromium.Media m = chromium.await("the MP4 playing past 1 s", 20,
                s -> s.decoding() && s.currentTime() >= 1.0);
        assertEquals(MP4_SECONDS, m.duration(), 0.1, "the MP4's duration, read from its moov at the end: " + m);
        assertEquals(640, m.videoWidth(), m.toString());

        double nearEnd = MP4_SECONDS - 4;
        chromium.seek(nearEnd);
        chromium.await("playing on from the seek to " + nearEnd + " s", 20,
                s -> s.decoding() && !s.seeking() && s.currentTime() >= nearEnd + 1.0);

        double middle = MP4_SECONDS / 2.0;
        chromium.seek(middle);
        chromium.await("playing on from the seek back to " + middle + " s", 20,
                s -> s.decoding() && !s.seeking() && s.currentTime() >= middle + 1.0 && s.currentTime() < nearEnd);
    }

    @Test
    @Timeout(60)
    void aLiveStreamsHlsPlaylistPlays() {
        String hls = chromium.canPlayType("application/vnd.apple.mpegurl");
        assertNotEquals("", hls, "this Chromium has no native HLS player: <video> cannot play /hls/NAME.m3u8 without"
                + " a script player such as hls.js");
        chromium.play(gateway + "/hls/" + LIVE + ".m3u8");
        HeadlessChromium.Media first = chromium.await("the HLS playlist showing a picture", 30, s -> s.decoding());
        assertEquals(-1, first.duration(), "a live playlist has no end (duration Infinity): " + first);
        double from = first.currentTime();
        chromium.await("the live stream playing 3 s on from " + from + " s", 30,
                s -> s.decoding() && s.currentTime() >= from + 3.0);
    }

    @Test
    @Timeout(60)
    void ffmpegDecodesTheLiveH264StreamFromTheGateway() throws Exception {
        Processes.Ended decode = processes.runToEnd(new ProcessBuilder("ffmpeg", "-v", "error", "-t", "3", "-i",
                gateway + "/stream/" + LIVE, "-f", "null", "-"));
        assertEquals(0, decode.status(), decode.stderr());
        assertEquals("", decode.stderr().trim(), "decoding errors in the live H.264 stream through the gateway");
    }

    /** The names of the file's top-level ISO BMFF boxes in order (32-bit sizes, 64-bit when the size is 1). */
    private static List<String> topLevelBoxes(Path file) throws IOException {
        List<String> names = new ArrayList<>();
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long at = 0;
            while (at + 8 <= in.length()) {
                in.seek(at);
                long size = Integer.toUnsignedLong(in.readInt());
                byte[] type = new byte[4];
                in.readFully(type);
                names.add(new String(type, StandardCharsets.ISO_8859_1));
                size = size == 1 ? in.readLong() : size == 0 ? in.length() - at : size;
                if (size < 8) {
                    break;
                }
                at += size;
            }
        }
        return names;
    }

    private String diagnostics(String test) {
        StringBuilder out = new StringBuilder("---- " + test + " failed; the video element: ");
        try {
            out.append(chromium == null ? "(no browser)" : chromium.media() + "\n---- browser console:\n"
                    + chromium.consoleLog());
        } catch (RuntimeException e) {
            out.append("(unreadable: ").append(e).append(")");
        }
        for (String log : List.of("gateway.err", "publisher.err", "ffmpeg.err")) {
            out.append("\n---- ").append(log).append(":\n").append(tail(dir.resolve(log)));
        }
        return out.toString();
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
