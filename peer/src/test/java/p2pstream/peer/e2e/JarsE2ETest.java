package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
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
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    @Test
    @Timeout(180)
    void streamsAFileFromThreePeerServerProcesses() throws Exception {
        Path media = dir.resolve("media");
        byte[] data = Processes.randomFile(media, "sample.bin", 20 * 1024 * 1024 + 777, 7);

        int trackerPort = processes.startTracker();
        for (int i = 0; i < 3; i++) {
            processes.startPeerServer(trackerPort, media, "20MB/s");
        }

        Process list = processes.start("peer-client.jar", "127.0.0.1:" + trackerPort, "--list");
        String listing = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, list.waitFor());
        assertTrue(listing.contains("sample.bin") && listing.contains("3 (3 complete)"), listing);

        Path out = dir.resolve("out.bin");
        Path stats = dir.resolve("stats.json");
        Process client = processes.start("peer-client.jar", "127.0.0.1:" + trackerPort, "sample.bin", "-o",
                out.toString(), "--stats-json", stats.toString());
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> Processes.stderr(client));
        assertTrue(client.waitFor(120, TimeUnit.SECONDS), "client did not finish");
        assertEquals(0, client.exitValue(), err.get());

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        assertEquals(expected,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out))));
        String json = Files.readString(stats);
        assertTrue(json.contains("\"sha256\": \"" + expected + "\""), json);
        assertTrue(json.contains("\"bytes\": " + data.length), json);
        Matcher peerBytes = Pattern.compile("\\{\"address\": \"[^\"]+\", \"bytes\": (\\d+)").matcher(json);
        int contributing = 0;
        while (peerBytes.find()) {
            contributing += Long.parseLong(peerBytes.group(1)) > 0 ? 1 : 0;
        }
        assertTrue(contributing >= 2, json);
    }

    @Test
    @Timeout(60)
    void badOptionIsOneLineAndStatusTwo() throws Exception {
        Process p = processes.start("peer-client.jar", "127.0.0.1", "--no-such-option");
        String err = Processes.stderr(p);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertEquals(1, err.strip().lines().count(), err);
    }
}
