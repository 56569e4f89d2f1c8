package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The three built jars as separate processes, as a user runs them: a tracker, three peer-servers, a client. */
class JarsE2ETest {
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+?):(\\d+)");
    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    @Timeout(180)
    void streamsAFileFromThreePeerServerProcesses() throws Exception {
        Path media = Files.createDirectories(dir.resolve("media"));
        byte[] data = new byte[20 * 1024 * 1024 + 777];
        new Random(7).nextBytes(data);
        Files.write(media.resolve("sample.bin"), data);

        int trackerPort = startAndAwaitPort(jar("tracker.jar"), "127.0.0.1", "--port", "0");
        for (int i = 0; i < 3; i++) {
            startAndAwaitPort(jar("peer-server.jar"), "127.0.0.1", "--port", "0", "--tracker", "127.0.0.1:" + trackerPort,
                    "--dir", media.toString(), "--upload-limit", "20MB/s");
        }

        Process list = run(jar("peer-client.jar"), "127.0.0.1:" + trackerPort, "--list");
        String listing = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, list.waitFor());
        assertTrue(listing.contains("sample.bin") && listing.contains("3 (3 complete)"), listing);

        Path out = dir.resolve("out.bin");
        Path stats = dir.resolve("stats.json");
        Process client = run(jar("peer-client.jar"), "127.0.0.1:" + trackerPort, "sample.bin", "-o", out.toString(),
                "--stats-json", stats.toString());
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(client));
        assertTrue(client.waitFor(120, TimeUnit.SECONDS), "client did not finish");
        assertEquals(0, client.exitValue(), err.get());

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        assertEquals(expected, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out))));
        String json = Files.readString(stats);
        assertTrue(json.contains("\"sha256\": \"" + expected + "\""), json);
        assertTrue(json.contains("\"bytes\": " + data.length), json);
        Matcher peerBytes = Pattern.compile("\\{\"address\": \"[^\"]+\", \"bytes\": (\\d+)}").matcher(json);
        int contributing = 0;
        while (peerBytes.find()) {
            contributing += Long.parseLong(peerBytes.group(1)) > 0 ? 1 : 0;
        }
        assertTrue(contributing >= 2, json);
    }

    @Test
    @Timeout(60)
    void badOptionIsOneLineAndStatusTwo() throws Exception {
        Process p = run(jar("peer-client.jar"), "127.0.0.1", "--no-such-option");
        String err = readAll(p);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertEquals(1, err.strip().lines().count(), err);
    }

    private int startAndAwaitPort(String... command) throws IOException {
        Process p = run(command);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(2));
            }
        }
        throw new IOException(String.join(" ", command) + " ended without printing its address: " + readAll(p));
    }

    private Process run(String... command) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        processes.add(p);
        return p;
    }

    private static String readAll(Process p) {
        try {
            return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String jar(String name) {
        Path dist = Path.of(System.getProperty("p2pstream.dist", "../dist"));
        Path jar = dist.resolve(name);
        assertTrue(Files.exists(jar), jar + " missing: run `make` first");
        return jar.toString();
    }
}
