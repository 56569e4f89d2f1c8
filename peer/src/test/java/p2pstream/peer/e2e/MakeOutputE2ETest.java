package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: {@code make demo} printed stray {@code ESC[0m} sequences. They came from its {@code make build} step:
 * Maven 3.8 writes colour resets on stdout and stderr even in batch mode. The Makefile's own recipe runs here with
 * a stand-in for Maven that writes what Maven writes (nothing is built or installed).
 */
class MakeOutputE2ETest {
    @TempDir
    Path dir;

    private record Run(int status, String output) {
    }

    private Run makeBuild(int mavenStatus) throws Exception {
        Path root = Path.of(System.getProperty("p2pstream.scripts", "../scripts")).toAbsolutePath()
                .normalize().getParent();
        assumeTrue(Files.exists(root.resolve("Makefile")), "no Makefile at " + root);
        Path maven = dir.resolve("mvn");
        // what Maven 3.8.7 -q -B -Dstyle.color=never prints on a build without warnings, plus one real line
        Files.writeString(maven, "#!/bin/bash\nprintf '\\033[0m\\033[0m'\nprintf '\\033[0m\\033[0m' >&2\n"
                + "printf '\\033[0m[WARNING] a line Maven meant\\n'\nexit " + mavenStatus + "\n");
        Files.setPosixFilePermissions(maven, PosixFilePermissions.fromString("rwx------"));
        Process p = new ProcessBuilder("make", "-s", "-C", root.toString(), "build", "MVN=" + maven,
                "LAUNCHER=true") // Maven's step alone: the launcher's training run needs the real jars
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "make did not end");
        return new Run(p.exitValue(), output);
    }

    @Test
    @Timeout(120)
    void makeBuildPrintsNoEscapeSequencesAndKeepsMavensLinesAndStatus() throws Exception {
        Run ok = makeBuild(0);
        assertEquals(0, ok.status(), ok.output());
        assertEquals("[WARNING] a line Maven meant\n", ok.output());

        Run failed = makeBuild(1);
        assertTrue(failed.status() != 0, "Maven's failure is make's: " + failed.output());
        assertTrue(failed.output().startsWith("[WARNING] a line Maven meant\n") && !failed.output().contains("\033"),
                failed.output());
    }
}
