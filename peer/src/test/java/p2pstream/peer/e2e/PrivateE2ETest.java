package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Private sharing through the tracker with the built jars and separate identities: {@code peer-server --private
 * --allow ID}; the allowed id lists the file (marked private) and fetches it by name with no --peer, identical; another
 * id lists nothing and gets "not found" (status 3).
 */
class PrivateE2ETest {
    private static final String NAME = "club/june.bin";

    @TempDir
    Path dir;

    private Processes.Ended list(Processes processes, String tracker, String key) throws Exception {
        return processes.client(tracker, "--list", "--identity", key);
    }

    @Test
    @Timeout(180)
    void theAllowedIdListsAndFetchesByNameAndAnotherIdSeesNothing() throws Exception {
        try (Processes processes = new Processes()) {
            String reader = dir.resolve("reader.key").toString();
            String stranger = dir.resolve("stranger.key").toString();
            Processes.Ended who = processes.runToEnd(Processes.java("peer-client.jar", "--whoami", "--identity",
                    reader));
            assertEquals(0, who.status(), who.stderr());
            String readerId = who.out().strip();
            byte[] bytes = Processes.randomFile(dir.resolve("share/club"), "june.bin", 3 << 20, 61);
            String tracker = "127.0.0.1:" + processes.startTracker();
            processes.startAndAwaitPort("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker", tracker,
                    "--dir", dir.resolve("share").toString(), "--private", "--allow", readerId, "--identity",
                    dir.resolve("owner.key").toString());

            await("the reader lists " + NAME + " (private)", () -> listed(processes, tracker, reader)
                    .contains(NAME + " (private)"));
            Path out = dir.resolve("june.bin");
            Processes.Ended fetched = processes.client(tracker, NAME, "-o", out.toString(), "--identity", reader);
            assertEquals(0, fetched.status(), fetched.stderr());
            assertArrayEquals(bytes, Files.readAllBytes(out));

            Processes.Ended nothing = list(processes, tracker, stranger);
            assertEquals(0, nothing.status(), nothing.stderr());
            assertEquals("no streams\n", nothing.out());
            Path other = dir.resolve("other.bin");
            Processes.Ended notFound = processes.client(tracker, NAME, "-o", other.toString(), "--identity",
                    stranger);
            assertEquals(3, notFound.status(), notFound.stderr());
            assertTrue(notFound.stderr().contains("not found"), notFound.stderr());
            assertFalse(Files.exists(other) && Files.size(other) > 0, "nothing written for a stranger");
        }
    }

    private String listed(Processes processes, String tracker, String key) {
        try {
            return list(processes, tracker, key).out();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
