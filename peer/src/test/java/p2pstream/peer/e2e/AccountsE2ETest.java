package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Accounts at the tracker with the built jars and separate identities (PROTOCOL.md section 10): {@code peer-client
 * --register} on one device, the tracker restarted on the same {@code --data}, {@code --login} from a second device;
 * a wrong password refused (status 7) and the next try told to wait; {@code peer-server --private --allow NAME} lets
 * both devices fetch the file with identical SHA-256, while a device of another account is refused by the server
 * (status 7) and finds nothing at the tracker (status 3).
 */
class AccountsE2ETest {
    private static final String NAME = "club/june.bin";
    private static final Pattern CONTENT_ID = Pattern.compile(Pattern.quote(NAME) + " \\(private\\).* ([0-9a-f]{64})");

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void devicesOfAnAccountReadWhatIsSharedWithItsNameAcrossATrackerRestart() throws Exception {
        try (Processes processes = new Processes()) {
            String laptop = dir.resolve("laptop.key").toString();
            String phone = dir.resolve("phone.key").toString();
            String stranger = dir.resolve("stranger.key").toString();
            Path password = Files.writeString(dir.resolve("alice.pw"), "correct horse battery staple\n");
            Path wrong = Files.writeString(dir.resolve("wrong.pw"), "tr0ub4dor&3\n");
            String data = dir.resolve("tracker-data").toString();

            Processes.Listening first = processes.startListening("tracker.jar", "127.0.0.1", "--port", "0",
                    "--data", data);
            String tracker = "127.0.0.1:" + first.port();
            Processes.Ended made = processes.client(tracker, "--register", "alice", "--password-file",
                    password.toString(), "--identity", laptop);
            assertEquals(0, made.status(), made.stderr());
            assertTrue(made.out().startsWith("registered alice at " + tracker + ": peer "), made.out());
            Processes.Ended taken = processes.client(tracker, "--register", "alice", "--password-file",
                    wrong.toString(), "--identity", stranger);
            assertEquals(7, taken.status(), taken.stderr());
            assertTrue(taken.stderr().contains("account alice: taken"), taken.stderr());
            first.process().destroy();
            assertTrue(first.process().waitFor(20, TimeUnit.SECONDS), "the tracker stopped");

            // the same data directory: the account is still there
            tracker = "127.0.0.1:" + processes.startAndAwaitPort("tracker.jar", "127.0.0.1", "--port", "0",
                    "--data", data);
            Processes.Ended in = processes.client(tracker, "--login", "alice", "--password-file", password.toString(),
                    "--identity", phone);
            assertEquals(0, in.status(), in.stderr());
            assertTrue(in.out().contains("is one of its 2 devices"), in.out());
            Processes.Ended guess = processes.client(tracker, "--login", "alice", "--password-file",
                    wrong.toString(), "--identity", stranger);
            assertEquals(7, guess.status(), guess.stderr());
            assertTrue(guess.stderr().contains("FORBIDDEN: account alice: wrong password; wait 1 s before the next"
                    + " try"), guess.stderr());
            Processes.Ended again = processes.client(tracker, "--login", "alice", "--password-file",
                    wrong.toString(), "--identity", stranger);
            assertEquals(7, again.status(), again.stderr());
            // still within the second (the brake refuses unchecked) or past it (checked; the wait doubles)
            assertTrue(again.stderr().contains("RATE_LIMITED: account alice: tries are slowed: wait ")
                    || again.stderr().contains("FORBIDDEN: account alice: wrong password; wait 2 s"), again.stderr());
            Processes.Ended bob = processes.client(tracker, "--register", "bob", "--password-file",
                    wrong.toString(), "--identity", stranger);
            assertEquals(0, bob.status(), bob.stderr());

            byte[] bytes = Processes.randomFile(dir.resolve("share/club"), "june.bin", 3 << 20, 62);
            int serverPort = processes.startAndAwaitPort("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker",
                    tracker, "--dir", dir.resolve("share").toString(), "--private", "--allow", "alice",
                    "--identity", dir.resolve("owner.key").toString());
            String contentId = null;
            for (String device : new String[] {laptop, phone}) {
                String at = tracker;
                await("a device of alice lists " + NAME + " (private)", () -> list(processes, at, device)
                        .contains(NAME + " (private)"));
                Matcher m = CONTENT_ID.matcher(list(processes, tracker, device));
                assertTrue(m.find());
                contentId = m.group(1);
                Path out = dir.resolve("june-" + Path.of(device).getFileName() + ".bin");
                Processes.Ended fetched = processes.client(tracker, NAME, "-o", out.toString(), "--identity", device);
                assertEquals(0, fetched.status(), fetched.stderr());
                assertArrayEquals(sha256(bytes), sha256(Files.readAllBytes(out)), "identical for " + device);
            }

            Processes.Ended direct = processes.client("-", contentId, "--peer", "127.0.0.1:" + serverPort, "-o",
                    dir.resolve("bob.bin").toString(), "--identity", stranger);
            assertEquals(7, direct.status(), direct.stderr());
            assertTrue(direct.stderr().contains("may not read it"), direct.stderr());
            Processes.Ended byName = processes.client(tracker, NAME, "-o", dir.resolve("bob2.bin").toString(),
                    "--identity", stranger);
            assertEquals(3, byName.status(), byName.stderr());

            // the phone leaves the account (the password's brake from the guesses above has long passed: servers
            // started and files fetched since); a device that is not the account's cannot be taken off
            Processes.Ended out = processes.client(tracker, "--logout", "alice", "--password-file",
                    password.toString(), "--identity", phone);
            assertEquals(0, out.status(), out.stderr());
            assertTrue(out.out().startsWith("logged out of alice at " + tracker + ": peer "), out.out());
            assertTrue(out.out().endsWith("taken off; 1 device left\n"), out.out());
            Processes.Ended notOne = processes.client(tracker, "--logout", "alice", "--password-file",
                    password.toString(), "--identity", laptop, "--device", firstLine(processes.client("--whoami",
                            "--identity", phone).out()));
            assertEquals(7, notOne.status(), notOne.stderr());
            assertTrue(notOne.stderr().contains("is not one of its 1 devices"), notOne.stderr());
        }
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElseThrow().trim();
    }

    private static String list(Processes processes, String tracker, String key) {
        try {
            return processes.client(tracker, "--list", "--identity", key).out();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
