package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invites and the provider password with the built jars and separate identities ({@code --identity}):
 * {@code peer-server --private --invite NAME --password-file FILE} prints a link and the password's command; one
 * reader redeems the link and gets the file identical, a second reader's redemption is refused (status 9); the right
 * password lets a third reader fetch by name, a wrong one is refused (status 7) and the next guess is told to wait.
 */
class InviteE2ETest {
    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void anInviteWorksOnceAndThePasswordLetsInOnlyWhoKnowsIt() throws Exception {
        try (Processes processes = new Processes()) {
            byte[] june = Processes.randomFile(dir.resolve("share/club"), "june.bin", 3 << 20, 71);
            byte[] top = Processes.randomFile(dir.resolve("share"), "top.bin", 700_000, 72);
            Path password = Files.writeString(dir.resolve("password.txt"), "correct horse battery\n");
            Path wrong = Files.writeString(dir.resolve("wrong.txt"), "correct horse battery staple\n");
            String tracker = "127.0.0.1:" + processes.startTracker();
            Process server = processes.start("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker", tracker,
                    "--dir", dir.resolve("share").toString(), "--private", "--invite", "club/june.bin",
                    "--password-file", password.toString(), "--identity", dir.resolve("owner.key").toString(),
                    "--log-level", "warn");
            String link = null;
            String owner = null;
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            for (String line; owner == null && (line = out.readLine()) != null; ) {
                if (line.startsWith("invite for file club/june.bin (one peer, once): peer-client ")) {
                    link = line.substring(line.indexOf("p2ps://"));
                } else if (line.startsWith("password: peer-client ")) {
                    owner = line.replaceAll(".* --peer (\\S+) .*", "$1");
                }
            }
            assertNotNull(link, "the server printed the invite's link");
            assertNotNull(owner, "the server printed the password's command");
            assertTrue(Files.readString(dir.resolve("owner.key.invites")).contains(" f club/june.bin -"));

            Path got = dir.resolve("june.bin");
            Processes.Ended redeemed = processes.client(link, "-o", got.toString(), "--identity",
                    dir.resolve("reader.key").toString());
            assertEquals(0, redeemed.status(), redeemed.stderr());
            assertTrue(redeemed.stderr().contains("invite redeemed"), redeemed.stderr());
            assertArrayEquals(june, Files.readAllBytes(got));

            Path again = dir.resolve("again.bin");
            Processes.Ended second = processes.client(link, "-o", again.toString(), "--identity",
                    dir.resolve("other.key").toString());
            assertEquals(9, second.status(), second.stderr());
            assertTrue(second.stderr().contains("invite already used"), second.stderr());
            assertFalse(Files.exists(again), "nothing written for a refused invite");

            Path topGot = dir.resolve("top.bin");
            Processes.Ended right = processes.client(tracker, "top.bin", "--peer", owner, "--password-file",
                    password.toString(), "-o", topGot.toString(), "--identity", dir.resolve("friend.key").toString());
            assertEquals(0, right.status(), right.stderr());
            assertArrayEquals(top, Files.readAllBytes(topGot));

            String guesser = dir.resolve("guesser.key").toString();
            Processes.Ended guess = processes.client(tracker, "top.bin", "--peer", owner, "--password-file",
                    wrong.toString(), "-o", dir.resolve("g1.bin").toString(), "--identity", guesser);
            assertEquals(7, guess.status(), guess.stderr());
            assertTrue(guess.stderr().contains("wrong password"), guess.stderr());
            Processes.Ended guessAgain = processes.client(tracker, "top.bin", "--peer", owner, "--password-file",
                    wrong.toString(), "-o", dir.resolve("g2.bin").toString(), "--identity", guesser);
            assertEquals(7, guessAgain.status(), guessAgain.stderr());
            assertTrue(guessAgain.stderr().contains("wait"), "the next guess is told to wait: "
                    + guessAgain.stderr());
            assertFalse(Files.exists(dir.resolve("g1.bin")) || Files.exists(dir.resolve("g2.bin")));
        }
    }
}
