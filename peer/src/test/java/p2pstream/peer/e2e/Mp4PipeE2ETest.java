package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.peer.Ffmpeg;

/**
 * Issue 9: an MP4 made by ffmpeg with its defaults has its index (moov) at the end, and a player reading it from a
 * pipe cannot start (ffmpeg: "partial file", mpv: "Cannot seek backward"); {@code -o -} into a pipe now says so, once,
 * with what works instead. ffmpeg is installed where missing; the test is skipped, saying why, where it cannot be.
 */
class Mp4PipeE2ETest {
    private static final String WARNING = "warning: plain.mp4 is an MP4 whose index (moov) comes after its media (mdat)";
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    private record Run(int status, byte[] out, String err) {
    }

    /** The client with its stdout a pipe read to the end, as a player would. */
    private Run intoAPipe(String... args) throws Exception {
        Process p = processes.start("peer-client.jar", args);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> Processes.stderr(p));
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client did not end");
        return new Run(p.exitValue(), out, err.get());
    }

    /** A tracker and a peer-server sharing an MP4 with its index last and one made with +faststart. */
    private String swarm() throws Exception {
        Ffmpeg.ensure(dir);
        Path media = Files.createDirectories(dir.resolve("media"));
        Ffmpeg.mp4(media.resolve("plain.mp4"), 4, false);
        Ffmpeg.mp4(media.resolve("faststart.mp4"), 4, true);
        String tracker = "127.0.0.1:" + processes.startTracker();
        processes.startAndAwaitPort("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker", tracker, "--dir", media.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Process list = processes.start("peer-client.jar", tracker, "--list");
            String listing = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            list.waitFor();
            if (listing.contains("plain.mp4") && listing.contains("faststart.mp4")) {
                return tracker;
            }
        }
        throw new AssertionError("the tracker never listed both files");
    }

    @Test
    @Timeout(300)
    void anMp4WithItsIndexLastIntoAPipeIsWarnedAboutOnceWithWhatWorksInstead() throws Exception {
        String tracker = swarm();
        Run plain = intoAPipe(tracker, "plain.mp4", "-o", "-");
        assertEquals(0, plain.status(), plain.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("media/plain.mp4")), plain.out(), "the stream is still written whole");
        assertTrue(plain.err().contains("peer-client: " + WARNING), plain.err());
        assertEquals(plain.err().indexOf(WARNING), plain.err().lastIndexOf(WARNING), "once: " + plain.err());
        assertTrue(plain.err().contains("-o plain.mp4") && plain.err().contains("ffmpeg -i plain.mp4 -c copy -movflags +faststart"),
                "what works instead: " + plain.err());
        assertFalse(plain.err().contains("gateway"), "no HTTP gateway to offer yet: " + plain.err());

        Run toFile = intoAPipe(tracker, "plain.mp4", "-o", dir.resolve("plain.mp4").toString());
        assertEquals(0, toFile.status(), toFile.err());
        assertFalse(toFile.err().contains("warning"), "a file plays whatever its layout: " + toFile.err());
    }

    @Test
    @Timeout(300)
    void anMp4MadeWithFaststartPlaysFromThePipeWithoutAWarning() throws Exception {
        String tracker = swarm();
        Run faststart = intoAPipe(tracker, "faststart.mp4", "-o", "-");
        assertEquals(0, faststart.status(), faststart.err());
        assertFalse(faststart.err().contains("warning"), faststart.err());

        // and a player reading the pipe decodes all of it: what the README's example does
        ProcessBuilder client = Processes.java("peer-client.jar", tracker, "faststart.mp4", "-o", "-")
                .redirectError(dir.resolve("client.err").toFile());
        ProcessBuilder player = new ProcessBuilder("ffmpeg", "-v", "error", "-i", "-", "-f", "null", "-")
                .redirectError(dir.resolve("player.err").toFile());
        Process decode = processes.pipe(client, player);
        assertTrue(decode.waitFor(120, TimeUnit.SECONDS), "ffmpeg did not finish");
        assertEquals(0, decode.exitValue(), Files.readString(dir.resolve("player.err")));
        assertEquals("", Files.readString(dir.resolve("player.err")).trim(), "decoding errors");
    }
}
