package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.wire.PeerId;

/**
 * The tracker's identity as a user meets it with the built jars: {@code tracker --whoami} prints the id the running
 * tracker proves; a peer-client or peer-server that pins another id ({@code HOST:PORT#ID}, {@code --tracker-id})
 * is refused with exit status 6, asks nothing and writes nothing; the right id is served.
 */
class TrackerIdentityE2ETest {
    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void aPinnedTrackerIdIsDemandedAndAnotherIdIsStatusSix() throws Exception {
        try (Processes processes = new Processes()) {
            String key = dir.resolve("tracker.key").toString();
            Processes.Ended who = processes.runToEnd(Processes.java("tracker.jar", "--whoami", "--identity", key));
            assertEquals(0, who.status(), who.stderr());
            String id = who.out().strip();
            assertEquals(id, PeerId.parse(id).text(), "one printable id");
            String other = processes.runToEnd(Processes.java("tracker.jar", "--whoami", "--identity",
                    dir.resolve("other.key").toString())).out().strip();
            int port = processes.startAndAwaitPort("tracker.jar", "127.0.0.1", "--port", "0", "--identity", key);
            String tracker = "127.0.0.1:" + port;

            Processes.Ended right = processes.client(tracker + "#" + id, "--list");
            assertEquals(0, right.status(), right.stderr());

            Processes.Ended wrong = processes.client(tracker + "#" + other, "--list");
            assertEquals(6, wrong.status(), wrong.stderr());
            assertTrue(wrong.stderr().contains("tracker " + tracker + " proved peer id " + id + " (expected: "
                    + other), wrong.stderr());

            Path out = dir.resolve("movie.bin");
            Processes.Ended byOption = processes.client(tracker, "--tracker-id", other, "movie.bin", "-o",
                    out.toString());
            assertEquals(6, byOption.status(), byOption.stderr());
            assertFalse(Files.exists(out), "nothing written for a refused tracker");

            Path share = Files.createDirectories(dir.resolve("share"));
            Processes.Ended server = processes.runToEnd(Processes.java("peer-server.jar", "127.0.0.1", "--port", "0",
                    "--tracker", tracker + "#" + other, "--dir", share.toString()));
            assertEquals(6, server.status(), server.stderr());
            assertTrue(server.stderr().contains("proved peer id " + id), server.stderr());
        }
    }
}
