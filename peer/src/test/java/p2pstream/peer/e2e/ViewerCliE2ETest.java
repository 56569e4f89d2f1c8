package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The viewer's command line fails fast and clearly, and ends cleanly, as a user runs the built jar (issue 9). */
class ViewerCliE2ETest {
    private static final Pattern CONTENT_ID = Pattern.compile("\\b([0-9a-f]{64})\\b");
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    /** What a finished client process said and how it ended. */
    private record Outcome(int status, String stderr, long millis) {
    }

    private Outcome run(String... args) throws Exception {
        return run(Processes.java("peer-client.jar", args).redirectOutput(ProcessBuilder.Redirect.DISCARD));
    }

    private Outcome run(ProcessBuilder pb) throws Exception {
        long t0 = System.nanoTime();
        Process p = processes.start(pb.redirectError(ProcessBuilder.Redirect.PIPE));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> Processes.stderr(p));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client did not end");
        return new Outcome(p.exitValue(), err.get(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** A tracker and a peer-server sharing {@code name}; returns the tracker's port. */
    private int swarm(String name, byte[] data, String uploadLimit) throws IOException {
        Path media = dir.resolve("media");
        Files.createDirectories(media);
        Files.write(media.resolve(name), data);
        int trackerPort = processes.startTracker();
        processes.startPeerServer(trackerPort, media, uploadLimit);
        return trackerPort;
    }

    private static byte[] random(int bytes) {
        byte[] data = new byte[bytes];
        new Random(bytes).nextBytes(data);
        return data;
    }

    @Test
    @Timeout(120)
    void aNameTheWireRefusesIsAUsageErrorAtOnce() throws Exception {
        int trackerPort = processes.startTracker();
        for (String name : List.of("movies/", "./a.bin", "/a.bin")) {
            Outcome o = run("127.0.0.1:" + trackerPort, name, "-o", dir.resolve("out").toString());
            assertEquals(2, o.status(), o.stderr());
            assertTrue(o.stderr().contains("STREAM: \"" + name + "\"")
                    && o.stderr().contains("(expected: "), o.stderr());
            assertFalse(o.stderr().contains("reconnecting"), o.stderr());
        }
    }

    @Test
    @Timeout(120)
    void theOutputIsCheckedBeforeAnyNetworkWork() throws Exception {
        // no tracker listens on port 1: a check after contacting it would say "unreachable", status 4
        Outcome missing = run("127.0.0.1:1", "a.bin", "-o", dir.resolve("no-such-dir/a.bin").toString());
        assertEquals(2, missing.status(), missing.stderr());
        assertTrue(missing.stderr().contains("does not exist"), missing.stderr());

        Path existing = Files.writeString(dir.resolve("notes.txt"), "precious");
        Outcome refused = run("127.0.0.1:1", "a.bin", "-o", existing.toString());
        assertEquals(2, refused.status(), refused.stderr());
        assertTrue(refused.stderr().contains("--force"), refused.stderr());
        assertEquals("precious", Files.readString(existing));
    }

    @Test
    @Timeout(180)
    void forceOverwritesAndTheRecordGoesUnlessKept() throws Exception {
        byte[] data = random(1024 * 1024 + 5);
        int trackerPort = swarm("clip.bin", data, "50MB/s");
        Path out = Files.writeString(dir.resolve("clip.bin"), "an older, different file");
        Outcome forced = run("127.0.0.1:" + trackerPort, "clip.bin", "-o", out.toString(), "--force");
        assertEquals(0, forced.status(), forced.stderr());
        assertArrayEquals(data, Files.readAllBytes(out));
        assertFalse(Files.exists(dir.resolve("clip.bin.p2ps")),
                "the record of a finished download is deleted by default");

        Path kept = dir.resolve("kept.bin");
        Outcome keep = run("127.0.0.1:" + trackerPort, "clip.bin", "-o", kept.toString(), "--keep-record");
        assertEquals(0, keep.status(), keep.stderr());
        assertArrayEquals(data, Files.readAllBytes(kept));
        assertTrue(Files.exists(dir.resolve("kept.bin.p2ps")), "--keep-record keeps it");
    }

    @Test
    @Timeout(60)
    void stdoutOnATerminalIsRefused() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1) gives the client a terminal");
        List<String> cmd = Processes.java("peer-client.jar", "127.0.0.1:1", "a.bin", "-o", "-").command();
        // script runs the command on a pseudo-terminal and exits with its status (-e)
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/script", "-qec", String.join(" ", cmd), "/dev/null")
                .redirectOutput(ProcessBuilder.Redirect.PIPE);
        Process p = processes.start(pb);
        String both = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), both);
        assertTrue(both.contains("mpv -") && both.contains("-o FILE"), both);
    }

    @Test
    @Timeout(120)
    void somethingThatIsNotATrackerFailsAtOnce() throws Exception {
        try (ServerSocket web = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> answerLikeAWebServer(web), "web");
            t.setDaemon(true);
            t.start();
            Outcome o = run("127.0.0.1:" + web.getLocalPort(), "a.bin", "-o", dir.resolve("a.bin").toString());
            assertEquals(4, o.status(), o.stderr());
            assertTrue(o.stderr().contains("127.0.0.1:" + web.getLocalPort()
                            + " is not a p2pstream tracker (it answered")
                    && o.stderr().contains("HTTP"), o.stderr());
            assertFalse(o.stderr().contains("no answer to LOOKUP"), o.stderr());
        }
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // accepts (the backlog does) and never answers, as a web server waiting for a request line
            Outcome o = run("127.0.0.1:" + silent.getLocalPort(), "a.bin", "-o", dir.resolve("a.bin").toString());
            assertEquals(4, o.status(), o.stderr());
            assertTrue(o.stderr().contains("is not a p2pstream tracker (it answered nothing within 5000 ms)"),
                    o.stderr());
        }
        Path media = Files.createDirectories(dir.resolve("media"));
        Files.write(media.resolve("a.bin"), random(20_000));
        int peerPort = processes.startAndAwaitPort("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker",
                "127.0.0.1:1", "--dir", media.toString());
        Outcome o = run("127.0.0.1:" + peerPort, "a.bin", "-o", dir.resolve("b.bin").toString());
        assertEquals(4, o.status(), o.stderr());
        assertTrue(o.stderr().contains("is not a p2pstream tracker"), o.stderr());
    }

    private static void answerLikeAWebServer(ServerSocket web) {
        while (!web.isClosed()) {
            try (Socket s = web.accept()) {
                InputStream in = s.getInputStream();
                in.read(new byte[256]); // whatever came first: a web server answers what it cannot parse with 400
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Test
    @Timeout(180)
    void aPeerAndAContentIdNeedNoTracker() throws Exception {
        byte[] data = random(600_000);
        Path media = Files.createDirectories(dir.resolve("media"));
        Files.write(media.resolve("solo.bin"), data);
        int trackerPort = processes.startTracker();
        int peerPort = processes.startAndAwaitPort("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker",
                "127.0.0.1:" + trackerPort, "--dir", media.toString());
        String contentId = contentIdOf(trackerPort, "solo.bin");
        for (String tracker : List.of("-", "127.0.0.1:1")) { // none, and one that is not there: neither contacted
            Path out = dir.resolve("solo-" + tracker.length() + ".bin");
            Outcome o = run(tracker, contentId, "--peer", "127.0.0.1:" + peerPort, "-o", out.toString());
            assertEquals(0, o.status(), o.stderr());
            assertArrayEquals(data, Files.readAllBytes(out));
        }
    }

    private String contentIdOf(int trackerPort, String name) throws Exception {
        String listing = processes.awaitListed("127.0.0.1:" + trackerPort, name);
        for (String line : listing.lines().toList()) {
            Matcher m = CONTENT_ID.matcher(line);
            if (line.startsWith(name + " ") && m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError(name + " listed without a content id: " + listing);
    }

    @Test
    @Timeout(180)
    void aPlayerThatQuitsIsTheEndAskedFor() throws Exception {
        int trackerPort = swarm("long.bin", random(4 * 1024 * 1024), "50MB/s");
        ProcessBuilder client = Processes.java("peer-client.jar", "127.0.0.1:" + trackerPort, "long.bin", "-o", "-")
                .redirectError(dir.resolve("client.err").toFile());
        ProcessBuilder head = new ProcessBuilder("head", "-c", "1000").redirectOutput(ProcessBuilder.Redirect.DISCARD);
        List<Process> both = ProcessBuilder.startPipeline(List.of(client, head));
        try {
            assertTrue(both.get(0).waitFor(60, TimeUnit.SECONDS), "client did not end");
            String err = Files.readString(dir.resolve("client.err"));
            assertEquals(0, both.get(0).exitValue(), err);
            assertTrue(err.contains("output closed by the reader after"), err);
            assertTrue(err.contains("start-up"), "the summary is printed: " + err);
        } finally {
            both.forEach(Process::destroy);
        }
    }

    @Test
    @Timeout(180)
    void sigtermEndsAPipeViewerWithTheSummaryAndLeavesNoTemporaryFile() throws Exception {
        int trackerPort = swarm("slow.bin", random(8 * 1024 * 1024), "256KB/s");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path errFile = dir.resolve("client.err");
        ProcessBuilder pb = Processes.java("peer-client.jar", "127.0.0.1:" + trackerPort, "slow.bin", "-o", "-",
                        "--progress").redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(errFile.toFile());
        pb.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp);
        Process client = processes.start(pb);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // the progress line says chunks are in: the store of a pipe is memory, nothing may appear under tmp
        Pattern someIn = Pattern.compile("\\(([1-9][0-9]?)%\\)");
        while (!someIn.matcher(Files.readString(errFile)).find() && System.nanoTime() < deadline && client.isAlive()) {
            assertEquals(0, storeFiles(tmp), "a pipe viewer wrote a temporary store");
            LockSupport.parkNanos(50_000_000); // poll until chunks are in
        }
        assertTrue(someIn.matcher(Files.readString(errFile)).find(), "no chunk came in: " + Files.readString(errFile));
        client.destroy(); // SIGTERM
        assertTrue(client.waitFor(30, TimeUnit.SECONDS));
        String err = Files.readString(errFile);
        assertEquals(0, storeFiles(tmp), "a temporary file is left behind: " + err);
        assertTrue(err.contains("start-up") && err.contains("interrupted"), err);
    }

    private static long storeFiles(Path tmp) throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("p2pstream-")).count();
        }
    }
}
