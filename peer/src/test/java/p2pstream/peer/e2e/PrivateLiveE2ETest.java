package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A private live stream with the built jars and separate identities: {@code peer-server --live cam --private --allow
 * A --allow B --grant-renewal 1s}; A and B watch it by name; {@code peer-server --revoke B} (a second process, same
 * identity file) cuts B off with exit status 7 while A plays on; a stranger with {@code --peer} is refused (7).
 */
class PrivateLiveE2ETest {
    private static final Pattern PUBLISHING = Pattern.compile("listening on \\S+?:(\\d+), publishing live cam as"
            + " ([0-9a-f]{64})");

    @TempDir
    Path dir;

    private static String whoami(Processes processes, Path key) throws Exception {
        Processes.Ended who = processes.runToEnd(Processes.java("peer-client.jar", "--whoami", "--identity",
                key.toString()));
        assertEquals(0, who.status(), who.stderr());
        return who.out().strip();
    }

    @Test
    @Timeout(240)
    void aRevokedViewerIsCutOffWhileTheOtherPlaysOnAndAStrangerIsRefused() throws Exception {
        try (Processes processes = new Processes()) {
            Path keyA = dir.resolve("a.key");
            Path keyB = dir.resolve("b.key");
            Path owner = dir.resolve("owner.key");
            String idA = whoami(processes, keyA);
            String idB = whoami(processes, keyB);
            String tracker = "127.0.0.1:" + processes.startTracker();
            // an encoder's pace: 16 KiB every quarter second, for as long as the test runs
            ProcessBuilder feeder = new ProcessBuilder("bash", "-c",
                    "while :; do head -c 16384 /dev/urandom || exit; sleep 0.25; done");
            ProcessBuilder publisher = Processes.java("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker",
                    tracker, "--live", "cam", "--key", dir.resolve("publisher.key").toString(), "--identity",
                    owner.toString(), "--private", "--allow", idA, "--allow", idB, "--grant-renewal", "1s")
                    .redirectError(dir.resolve("publisher.err").toFile());
            Process pub = processes.pipe(feeder, publisher);
            Matcher started = publishing(pub);
            String address = "127.0.0.1:" + started.group(1);
            String contentId = started.group(2);

            Path outA = dir.resolve("a.bin");
            Path outB = dir.resolve("b.bin");
            Process a = processes.start("peer-client.jar", tracker, "cam", "-o", outA.toString(), "--identity",
                    keyA.toString());
            Process b = processes.start("peer-client.jar", tracker, "cam", "-o", outB.toString(), "--identity",
                    keyB.toString());
            CompletableFuture<String> errB = CompletableFuture.supplyAsync(() -> Processes.stderr(b));
            await("both viewers writing, past a grant lifetime", 60_000,
                    () -> size(outA) > 16 * 16384 && size(outB) > 16 * 16384);

            Processes.Ended revoked = processes.runToEnd(Processes.java("peer-server.jar", "--revoke", idB,
                    "--identity", owner.toString()));
            assertEquals(0, revoked.status(), revoked.stderr());
            assertTrue(revoked.out().contains("revoked"), revoked.out());
            assertTrue(b.waitFor(30, TimeUnit.SECONDS), "the revoked viewer did not end");
            assertEquals(7, b.exitValue(), errB.get());
            assertTrue(errB.get().contains("may not read it"), errB.get());

            long whenBEnded = size(outA);
            await("A still playing after B was cut off, over more renewals", 60_000,
                    () -> size(outA) > whenBEnded + 16 * 16384);
            assertTrue(a.isAlive(), "A plays on");

            Processes.Ended stranger = processes.client("-", contentId, "--peer", address, "-o",
                    dir.resolve("s.bin").toString(), "--identity", dir.resolve("stranger.key").toString());
            assertEquals(7, stranger.status(), stranger.stderr());
            assertTrue(stranger.stderr().contains("may not read it"), stranger.stderr());
        }
    }

    private static Matcher publishing(Process pub) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(pub.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            Matcher m = PUBLISHING.matcher(line);
            if (m.find()) {
                return m;
            }
        }
        throw new IOException("peer-server --live ended without printing its address");
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
