package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import p2pstream.common.identity.Identity;

/** The built jars started as separate processes, as a user runs them, and stopped when a test ends. */
final class Processes implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+?):(\\d+)");
    /** One p2pstream home for every process a test run starts: their identity, not the user's. */
    static final Path HOME = home();
    private final List<Process> started = new ArrayList<>();

    private static Path home() {
        try {
            return Files.createTempDirectory("p2pstream-home");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A started server process and the port it said it listens on. */
    record Listening(Process process, int port) {
    }

    /** Starts {@code jar} and returns the port it prints in its "listening on" line. */
    int startAndAwaitPort(String jar, String... args) throws IOException {
        return startListening(jar, args).port();
    }

    /** Starts {@code jar} and waits for its "listening on" line. */
    Listening startListening(String jar, String... args) throws IOException {
        Process p = start(jar, args);
        try {
            return new Listening(p, awaitPort(p, jar));
        } catch (IOException e) {
            throw new IOException(e.getMessage() + ": " + stderr(p), e);
        }
    }

    /** Starts {@code pb} (from {@link #java}, perhaps wrapped) and waits for its "listening on" line. */
    Listening startListening(ProcessBuilder pb) throws IOException {
        Process p = start(pb);
        try {
            return new Listening(p, awaitPort(p, String.join(" ", pb.command())));
        } catch (IOException e) {
            throw new IOException(e.getMessage() + ": " + stderr(p), e);
        }
    }

    /** A tracker on a free loopback port; returns the port. */
    int startTracker() throws IOException {
        return startAndAwaitPort("tracker.jar", "127.0.0.1", "--port", "0");
    }

    /** A tracker on loopback {@code port} (0: a free one). */
    Listening startTracker(int port) throws IOException {
        return startListening("tracker.jar", "127.0.0.1", "--port", Integer.toString(port));
    }

    /** A peer-server sharing {@code dir} with an upload cap such as {@code 20MB/s}, registered with the tracker. */
    void startPeerServer(int trackerPort, Path dir, String uploadLimit) throws IOException {
        startAndAwaitPort("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker", "127.0.0.1:" + trackerPort,
                "--dir", dir.toString(), "--upload-limit", uploadLimit);
    }

    /** Writes {@code bytes} random bytes (seeded) to {@code dir/name}, creating {@code dir}; returns them. */
    static byte[] randomFile(Path dir, String name, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), data);
        return data;
    }

    Process start(String jar, String... args) throws IOException {
        return start(List.of(), jar, args);
    }

    /**
     * Starts {@code jar} unable to write files beyond {@code maxFileKiB} KiB (bash's {@code ulimit -f}), as on a
     * disk that fills up: a write past the limit fails with "File too large" (the JVM ignores SIGXFSZ).
     */
    Process startWithFileSizeLimit(long maxFileKiB, String jar, String... args) throws IOException {
        return start(List.of("bash", "-c", "ulimit -f " + maxFileKiB + " && exec \"$0\" \"$@\""), jar, args);
    }

    /** Starts {@code jar} with at most {@code descriptors} open files (bash's {@code ulimit -n}). */
    Process startWithDescriptorLimit(int descriptors, String jar, String... args) throws IOException {
        return start(List.of("bash", "-c", "ulimit -n " + descriptors + " && exec \"$0\" \"$@\""), jar, args);
    }

    /** Starts {@code jar} with at most {@code mib} MiB of Java heap ({@code -Xmx}). */
    Process startWithHeapLimit(int mib, String jar, String... args) throws IOException {
        return start(List.of("bash", "-c", "exec \"$0\" -Xmx" + mib + "m \"$@\""), jar, args);
    }

    private Process start(List<String> prefix, String jar, String... args) throws IOException {
        Process p = java(prefix, jar, args).redirectError(ProcessBuilder.Redirect.PIPE).start();
        started.add(p);
        return p;
    }

    /** Starts {@code pb} (from {@link #java}, perhaps changed) and stops it when the test ends. */
    Process start(ProcessBuilder pb) throws IOException {
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** {@code java -jar dist/JAR ARGS}, not started. */
    static ProcessBuilder java(String jar, String... args) {
        return java(List.of(), jar, args);
    }

    private static ProcessBuilder java(List<String> prefix, String jar, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(jar(jar));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put(Identity.HOME_VARIABLE, HOME.toString());
        return pb;
    }

    /** Starts {@code a | b}; both are stopped when the test ends. Returns the last process. */
    Process pipe(ProcessBuilder a, ProcessBuilder b) throws IOException {
        List<Process> both = ProcessBuilder.startPipeline(List.of(a, b));
        started.addAll(both);
        return both.get(1);
    }

    /** What a finished process wrote and how it ended. */
    record Ended(int status, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /** Runs {@code pb} with stdout and stderr piped, reads both to their end, and waits for it (at most a minute). */
    Ended runToEnd(ProcessBuilder pb) throws IOException, InterruptedException {
        return runToEnd(pb, 60);
    }

    /** The same, waiting at most {@code seconds}. */
    Ended runToEnd(ProcessBuilder pb, int seconds) throws IOException, InterruptedException {
        Process p = start(pb.redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.PIPE));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> stderr(p));
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), String.join(" ", pb.command()) + " did not end");
        return new Ended(p.exitValue(), out, err.join());
    }

    /** {@code java -jar dist/peer-client.jar ARGS} to its end, its stdout a pipe. */
    Ended client(String... args) throws IOException, InterruptedException {
        return runToEnd(java("peer-client.jar", args));
    }

    /**
     * Waits (30 s at most) until the tracker at {@code tracker} lists every one of {@code names}; returns the listing.
     */
    String awaitListed(String tracker, String... names) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String listing = "";
        while (System.nanoTime() < deadline) {
            listing = client(tracker, "--list").out();
            String shown = listing;
            if (Arrays.stream(names).allMatch(n -> shown.contains(n + " "))) {
                return listing;
            }
        }
        throw new AssertionError("the tracker never listed all of " + List.of(names) + ": " + listing);
    }

    /** The first "listening on" port {@code p} prints on stdout. */
    static int awaitPort(Process p, String what) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(2));
            }
        }
        throw new IOException(what + " ended without printing its address");
    }

    static String stderr(Process p) {
        try {
            return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String jar(String name) {
        Path jar = Path.of(System.getProperty("p2pstream.dist", "../dist")).resolve(name);
        assertTrue(Files.exists(jar), jar + " missing: run `make` first");
        return jar.toString();
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
        }
        for (Process p : started) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
