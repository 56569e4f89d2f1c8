package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.cli.Cli;
import p2pstream.common.wire.PeerId;
import p2pstream.peer.server.PeerServerMain;

/** {@code --whoami} and {@code --identity FILE} on the peer-client and the peer-server. */
class WhoamiTest {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private static Run run(Callable<Integer> command, String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = Cli.run(command, args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    @Test
    void bothProgramsPrintThePeerIdOfTheSameKeyFileWhichIsCreatedOwnerOnlyOnce() throws Exception {
        Path key = dir.resolve("keys/identity.key");
        Run client = run(new PeerClientMain(), "--whoami", "--identity", key.toString());
        assertEquals(0, client.status(), client.err());
        String id = client.out().strip();
        assertEquals(id, PeerId.parse(id).text(), "a peer id with its check characters");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));

        Run server = run(new PeerServerMain(), "--whoami", "--identity", key.toString());
        assertEquals(0, server.status(), server.err());
        assertEquals(id, server.out().strip(), "the same key is the same peer");
        assertEquals(id, run(new PeerClientMain(), "--whoami", "--identity", key.toString()).out().strip());

        Run other = run(new PeerClientMain(), "--whoami", "--identity", dir.resolve("other.key").toString());
        assertNotEquals(id, other.out().strip(), "another key is another peer");
    }

    @Test
    void withoutWhoamiTheTrackerAndTheAddressAreStillRequired() {
        Run client = run(new PeerClientMain());
        assertEquals(Cli.USAGE, client.status());
        assertTrue(client.err().contains("TRACKER: missing"), client.err());
        Run server = run(new PeerServerMain());
        assertEquals(Cli.USAGE, server.status());
        assertTrue(server.err().contains("ADDRESS: missing"), server.err());
    }
}
