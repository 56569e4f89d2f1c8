package p2pstream.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import p2pstream.common.tools.Tools;

/**
 * ffmpeg for tests that need real media: installed with scripts/ensure-tools.sh where missing (the test is skipped,
 * saying why, only where it cannot be), and short clips made with it. Test threads only.
 */
public final class Ffmpeg {
    private Ffmpeg() {
    }

    /** Makes sure ffmpeg and ffprobe are there; apt-get's log goes to {@code logDir}. */
    public static void ensure(Path logDir) throws IOException, InterruptedException {
        Tools.ensure(logDir, "ffmpeg:ffmpeg", "ffprobe:ffmpeg");
    }

    /**
     * Writes a {@code seconds}-long MP4 of ffmpeg's test pattern to {@code file}, with its index (moov) at the end as
     * ffmpeg does by default, or first with {@code faststart}.
     */
    public static Path mp4(Path file, int seconds, boolean faststart) throws IOException, InterruptedException {
        List<String> codec = new ArrayList<>(List.of("-c:v", "mpeg4", "-q:v", "5"));
        if (faststart) {
            codec.addAll(List.of("-movflags", "+faststart"));
        }
        return testPattern(file, seconds, "320x240", codec.toArray(String[]::new));
    }

    /**
     * Writes {@code seconds} of ffmpeg's test pattern at {@code size} (such as 320x240), 25 frames a second, to
     * {@code file}, encoded with {@code codecArgs} (such as {@code -c:v libvpx-vp9}); the container is the file's
     * extension.
     */
    public static Path testPattern(Path file, int seconds, String size, String... codecArgs)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                "-i", "testsrc=size=" + size + ":rate=25", "-t", Integer.toString(seconds)));
        cmd.addAll(List.of(codecArgs));
        cmd.add(file.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ffmpeg did not finish");
        assertEquals(0, p.exitValue(), "ffmpeg: " + output);
        return file;
    }
}
