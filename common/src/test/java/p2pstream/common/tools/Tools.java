package p2pstream.common.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Real tools for tests that drive them (ffmpeg, curl): installed with scripts/ensure-tools.sh where missing; the
 * test is skipped, saying why, only where they cannot be. Test threads only.
 */
public final class Tools {
    private Tools() {
    }

    /**
     * Makes sure each command of {@code commandPackages} ("CMD:DEBIAN-PACKAGE") is there; apt-get's log goes to
     * {@code logDir}. Skips the calling test when they are missing and cannot be installed here.
     */
    public static void ensure(Path logDir, String... commandPackages) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", Path.of(System.getProperty("p2pstream.scripts",
                "../scripts")).resolve("ensure-tools.sh").toString()));
        command.addAll(List.of(commandPackages));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("OUT", logDir.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        Assumptions.assumeTrue(status != 3, "skipped: " + String.join(" ", commandPackages)
                + " missing and cannot be installed here: " + output.trim());
        assertEquals(0, status, "ensure-tools.sh: " + output);
    }
}
