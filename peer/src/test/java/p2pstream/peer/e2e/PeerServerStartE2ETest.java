package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: what {@code peer-server.jar} says at start, and how it refuses a {@code --dir} it cannot share: a
 * file said only its path, an unreadable directory started a server sharing nothing.
 */
class PeerServerStartE2ETest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(60)
    void saysHowManyFilesItIsHashing() throws Exception {
        Path dir = tmp.resolve("media");
        for (int i = 0; i < 3; i++) {
            Processes.randomFile(dir, "file-" + i + ".bin", 100_000, i);
        }
        try (Processes processes = new Processes()) {
            int tracker = processes.startTracker();
            // stderr to a file: destroying a process closes its pipes, and the line is wanted after the stop
            Path log = tmp.resolve("server.log");
            Process server = Processes.java("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker",
                    "127.0.0.1:" + tracker, "--dir", dir.toString()).redirectError(log.toFile()).start();
            try {
                Processes.awaitPort(server, "peer-server");
            } finally {
                server.destroy();
            }
            assertTrue(server.waitFor(20, TimeUnit.SECONDS));
            String err = Files.readString(log);
            assertTrue(err.contains("hashing 3 files"), err);
        }
    }

    @Test
    @Timeout(60)
    void aFileAsDirIsAUsageErrorSayingADirectoryIsExpected() throws Exception {
        Path file = Files.writeString(tmp.resolve("movie.mp4"), "not a directory");
        Result r = run(List.of(), "--dir", file.toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("--dir: " + file + " (expected: a directory)"), r.err());
    }

    @Test
    @Timeout(60)
    void aMissingDirIsAUsageErrorNamingIt() throws Exception {
        Path missing = tmp.resolve("no-such-dir");
        Result r = run(List.of(), "--dir", missing.toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("--dir: " + missing + " does not exist (expected: a directory)"), r.err());
    }

    /** As root every directory is readable: the server then runs as nobody (setpriv), as a user would. */
    @Test
    @Timeout(60)
    void anUnreadableDirIsAUsageErrorNamingIt() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path locked = Files.createDirectory(tmp.resolve("locked"));
        Files.writeString(locked.resolve("secret.bin"), "x");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            boolean root = "root".equals(System.getProperty("user.name"));
            List<String> prefix = root ? List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
                    : List.of();
            Result r = run(prefix, "--dir", locked.toString());
            assertEquals(2, r.status(), r.err());
            assertTrue(r.err().contains("--dir: " + locked + " cannot be read: permission denied"), r.err());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private record Result(int status, String err) {
    }

    /** Runs the peer-server (no tracker is needed to refuse its command line) and waits for it to exit. */
    private Result run(List<String> prefix, String... args) throws Exception {
        ProcessBuilder pb = Processes.java("peer-server.jar", withAddress(args));
        pb.command().addAll(0, prefix);
        // stderr to a file: a server that does not exit must fail the test, not block a read of its pipe
        Path err = Files.createTempFile(tmp, "stderr", ".txt");
        Process p = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        try {
            boolean exited = p.waitFor(30, TimeUnit.SECONDS);
            assertTrue(exited, "peer-server still running: " + Files.readString(err));
            return new Result(p.exitValue(), Files.readString(err));
        } finally {
            p.destroyForcibly();
        }
    }

    private static String[] withAddress(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "127.0.0.1";
        all[1] = "--port";
        all[2] = "0";
        System.arraycopy(args, 0, all, 3, args.length);
        return all;
    }
}
