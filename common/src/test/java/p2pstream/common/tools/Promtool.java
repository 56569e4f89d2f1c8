package p2pstream.common.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's own checker on a program's {@code /metrics} text: {@code promtool check metrics} (Debian's
 * {@code prometheus} package, installed with scripts/ensure-tools.sh where missing; the test is skipped, saying why,
 * only where it cannot be). Test threads only.
 */
public final class Promtool {
    private Promtool() {
    }

    /** Makes sure promtool is there; apt-get's log goes to {@code logDir}. */
    public static void ensure(Path logDir) throws IOException, InterruptedException {
        Tools.ensure(logDir, "promtool:prometheus");
    }

    /** Fails unless promtool takes {@code text} without a single problem (format or lint). */
    public static void assertAccepts(Path dir, String text) throws IOException, InterruptedException {
        Path metrics = Files.writeString(Files.createTempFile(dir, "metrics", ".txt"), text);
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectInput(metrics.toFile())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, p.exitValue(), () -> "promtool check metrics: " + output + "\non:\n" + text);
        assertEquals("", output.trim(), () -> "promtool check metrics found problems: " + output);
    }
}
