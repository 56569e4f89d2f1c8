package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Trial;
import p2pstream.peer.client.Stats;
import p2pstream.peer.client.Watch;

/**
 * Issue 10 #8: a peer-server sharing more files than it may open descriptors kept each open from its start and
 * died at start ("cannot open selector"). It now opens them on demand through a bounded cache.
 */
class DescriptorLimitE2ETest {
    private static final int DESCRIPTORS = 200;
    private static final int FILES = 400;
    private static final int FILE_BYTES = 40_000;
    private static final Pattern SHARING = Pattern.compile("listening on \\S+?:(\\d+), sharing (\\d+) files");
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    @HostileCase(value = "A peer-server sharing 400 files under ulimit -n 200 (built jars)",
            expect = "it starts and shares all 400 (at most 50 open at once); every 10th file, fetched in turn by"
                    + " a viewer, is SHA-256 identical", section = HostileCase.FAULTS)
    @Timeout(180)
    void sharesMoreFilesThanItHasDescriptors(Trial trial) throws Exception {
        Path media = dir.resolve("media");
        String[] hashes = new String[FILES];
        for (int i = 0; i < FILES; i++) {
            byte[] bytes = Processes.randomFile(media, "f" + i + ".bin", FILE_BYTES + i, i);
            hashes[i] = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        int trackerPort = processes.startTracker();
        long startNanos = System.nanoTime();
        Process server = processes.startWithDescriptorLimit(DESCRIPTORS, "peer-server.jar", "127.0.0.1", "--port", "0",
                "--tracker", "127.0.0.1:" + trackerPort, "--dir", media.toString());
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> Processes.stderr(server));
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        Matcher m = null;
        for (String line; (line = out.readLine()) != null; ) {
            m = SHARING.matcher(line);
            if (m.find()) {
                break;
            }
            m = null;
        }
        assertTrue(m != null, "the server ended without listening: " + (server.isAlive() ? "" : err.get()));
        assertEquals(FILES, Integer.parseInt(m.group(2)), "files shared");
        trial.recordSecondsSince("seconds to start sharing 400 files", startNanos);

        InetSocketAddress tracker = new InetSocketAddress("127.0.0.1", trackerPort);
        int fetched = 0;
        for (int i = 0; i < FILES; i += 10) {
            Path file = dir.resolve("out-" + i + ".bin");
            Stats s = Watch.run(Watch.Config.of(tracker, "f" + i + ".bin").withUpload(false).withOutputFile(file));
            assertEquals(hashes[i], s.sha256(), "f" + i + ".bin");
            fetched++;
        }
        assertTrue(server.isAlive(), "the server died");
        trial.record("files fetched, SHA-256 identical", fetched);
        trial.record("descriptor limit", DESCRIPTORS);
    }
}
