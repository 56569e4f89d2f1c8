package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.access.Offer;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.RawClient;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Streams;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.ManifestCache;

/**
 * Sending a file to chosen readers with the built jars and separate identities: {@code peer-server --send FILE --to
 * B --to D} (no --dir); B's {@code --inbox --accept-from SERVER}, started after the send, gets the file SHA-256
 * identical; C, not a recipient, gets nothing in its inbox and is refused by the server itself (status 7); D, a
 * recipient whose inbox does not accept the server, fetches nothing and says so. An inbox of an id that has 16
 * taking offers at the tracker already is refused (status 7, the tracker's reason).
 */
class SendE2ETest {
    private static final String NAME = "june.bin";

    @TempDir
    Path dir;

    private static String whoami(Processes processes, String key) throws Exception {
        Processes.Ended who = processes.runToEnd(Processes.java("peer-client.jar", "--whoami", "--identity", key));
        assertEquals(0, who.status(), who.stderr());
        return who.out().strip();
    }

    private Process inbox(Processes processes, String tracker, String who, String acceptFrom) throws IOException {
        return processes.start(Processes.java("peer-client.jar", tracker, "--inbox", dir.resolve("inbox-" + who)
                        .toString(), "--accept-from", acceptFrom, "--identity", dir.resolve(who + ".key").toString())
                .redirectOutput(dir.resolve(who + ".out").toFile()).redirectError(dir.resolve(who + ".err").toFile()));
    }

    private String log(String file) {
        try {
            return Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    @Timeout(180)
    void theRecipientsInboxGetsTheFileAndNobodyElseDoes() throws Exception {
        try (Processes processes = new Processes()) {
            String b = whoami(processes, dir.resolve("b.key").toString());
            String c = whoami(processes, dir.resolve("c.key").toString());
            String d = whoami(processes, dir.resolve("d.key").toString());
            Processes.Ended owner = processes.runToEnd(Processes.java("peer-server.jar", "--whoami", "--identity",
                    dir.resolve("owner.key").toString()));
            assertEquals(0, owner.status(), owner.stderr());
            String server = owner.out().strip();
            byte[] bytes = Processes.randomFile(dir.resolve("out"), NAME, 3 << 20, 71);
            Path file = dir.resolve("out").resolve(NAME);
            String contentId = ManifestCache.compute(NAME, file, Manifest.chunkSizeFor(bytes.length)).contentId()
                    .hex();
            String tracker = "127.0.0.1:" + processes.startTracker();
            int port = processes.startListening(Processes.java("peer-server.jar", "127.0.0.1", "--port", "0",
                    "--tracker", tracker, "--send", file.toString(), "--to", b, "--to", d, "--identity",
                    dir.resolve("owner.key").toString()).redirectError(dir.resolve("server.err").toFile())).port();
            await("the tracker took the offers to B and D", () -> log("server.err").contains("to " + b
                    + ": the tracker has taken the offer") && log("server.err").contains("to " + d
                    + ": the tracker has taken the offer"));

            // B and D subscribe after the send; C is no recipient
            inbox(processes, tracker, "c", server);
            inbox(processes, tracker, "d", c); // accepts someone else
            Process bInbox = inbox(processes, tracker, "b", server);
            await("B received " + NAME, () -> log("b.err").contains("received " + NAME + " from " + server));
            assertArrayEquals(sha256(bytes), sha256(Files.readAllBytes(dir.resolve("inbox-b").resolve(NAME))));
            await("D says it ignored the offer", () -> log("d.err").contains("offer of " + NAME + " from " + server
                    + " ignored (expected: an id or account in --accept-from)"));
            assertFalse(Files.exists(dir.resolve("inbox-d").resolve(NAME)), "nothing fetched by D");
            assertTrue(log("c.err").contains("taking offers"), log("c.err"));
            assertFalse(Files.exists(dir.resolve("inbox-c").resolve(NAME)), "nothing offered to C");
            assertTrue(log("server.err").contains("to " + b + ": delivered"), log("server.err"));

            // C straight at the server, by content id: refused
            Path stolen = dir.resolve("stolen.bin");
            Processes.Ended refused = processes.client("-", contentId, "--peer", "127.0.0.1:" + port, "-o",
                    stolen.toString(), "--identity", dir.resolve("c.key").toString());
            assertEquals(7, refused.status(), refused.stderr());
            assertTrue(refused.stderr().contains("is private"), refused.stderr());
            assertFalse(Files.exists(stolen) && Files.size(stolen) > 0, "nothing written for C");

            bInbox.destroy(); // SIGTERM, as Ctrl-C: an inbox ends the normal way
            assertTrue(bInbox.waitFor(30, TimeUnit.SECONDS), "B's inbox ended");
            assertEquals(0, bInbox.exitValue(), log("b.err"));

            // B revoked: the server cuts it off (it polls its revocations file every second); D still reads
            assertEquals(0, fetchStatus(processes, contentId, port, "b"), "B reads it straight from the server");
            Processes.Ended revoke = processes.runToEnd(Processes.java("peer-server.jar", "--revoke", b,
                    "--identity", dir.resolve("owner.key").toString()));
            assertEquals(0, revoke.status(), revoke.stderr());
            await("B, revoked, is refused by the server", () -> fetchStatus(processes, contentId, port, "b") == 7);
            assertEquals(0, fetchStatus(processes, contentId, port, "d"), "D, still a recipient, reads it");
        }
    }

    /** The status of {@code who}'s fetch of {@code contentId} straight from the server (its own file each time). */
    private int fetchStatus(Processes processes, String contentId, int port, String who) {
        try {
            Path out = Files.createTempFile(dir, who + "-direct", ".bin");
            Files.delete(out);
            // a fetch that raced the revocation (let in, then closed FORBIDDEN after the manifest) waits out its
            // no-peer timeout and ends 4: kept short, so the next fetch, refused at once with 7, comes in time
            return processes.client("-", contentId, "--peer", "127.0.0.1:" + port, "-o", out.toString(),
                    "--identity", dir.resolve(who + ".key").toString(), "--no-peer-timeout", "5s").status();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Timeout(180)
    void sentToAnAccountBothItsDevicesReceiveFromTheSendersAccount() throws Exception {
        try (Processes processes = new Processes()) {
            Path password = Files.writeString(dir.resolve("pw"), "correct horse battery staple\n");
            String tracker = "127.0.0.1:" + processes.startAndAwaitPort("tracker.jar", "127.0.0.1", "--port", "0",
                    "--data", dir.resolve("tracker-data").toString());
            String[][] accounts = {{"--register", "alice", "laptop"}, {"--login", "alice", "phone"},
                {"--register", "carol", "owner"}};
            for (String[] a : accounts) {
                Processes.Ended done = processes.client(tracker, a[0], a[1], "--password-file", password.toString(),
                        "--identity", dir.resolve(a[2] + ".key").toString());
                assertEquals(0, done.status(), done.stderr());
            }
            byte[] bytes = Processes.randomFile(dir.resolve("out"), NAME, 2 << 20, 72);
            processes.startListening(Processes.java("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker",
                    tracker, "--send", dir.resolve("out").resolve(NAME).toString(), "--to", "alice", "--identity",
                    dir.resolve("owner.key").toString()).redirectError(dir.resolve("server.err").toFile()));
            inbox(processes, tracker, "laptop", "carol");
            inbox(processes, tracker, "phone", "carol");
            for (String device : new String[] {"laptop", "phone"}) {
                await(device + " received " + NAME, () -> log(device + ".err").contains("received " + NAME));
                assertArrayEquals(sha256(bytes), sha256(Files.readAllBytes(dir.resolve("inbox-" + device)
                        .resolve(NAME))), device);
            }
        }
    }

    @Test
    @Timeout(120)
    void aSeventeenthInboxOfOneIdIsRefusedByTheTrackerWithStatus7() throws Exception {
        try (Processes processes = new Processes()) {
            Path key = dir.resolve("b.key");
            Identity b = Identity.loadOrCreate(key);
            int port = processes.startTracker();
            List<RawClient> inboxes = new ArrayList<>();
            try {
                // sixteen sessions of B's id take offers already (the tracker keeps that many per id)
                for (int i = 0; i < 16; i++) {
                    RawClient c = RawClient.secure(new InetSocketAddress("127.0.0.1", port), StaticKey.of(b));
                    inboxes.add(c);
                    c.trackerHello(0);
                    c.send(new Offer.Subscribe(), new ListStreams("", 1));
                    c.expect(MessageType.STREAMS, Streams::decode); // nothing came before it: not refused
                }
                Process refused = inbox(processes, "127.0.0.1:" + port, "b", Identity.generate().peerId().text());
                assertTrue(refused.waitFor(60, TimeUnit.SECONDS), "the refused inbox ended: " + log("b.err"));
                assertEquals(7, refused.exitValue(), log("b.err"));
                assertTrue(log("b.err").contains("peer-client: --inbox: refused by the tracker: sessions of "
                        + b.peerId().text() + " taking offers: 16 (expected: fewer; "), log("b.err"));
            } finally {
                for (RawClient c : inboxes) {
                    c.close();
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void anInboxWithoutAcceptFromIsAUsageError() throws Exception {
        try (Processes processes = new Processes()) {
            Processes.Ended e = processes.client("127.0.0.1:1", "--inbox", dir.resolve("in").toString());
            assertEquals(2, e.status(), e.stderr());
            assertTrue(e.stderr().contains("--inbox: without --accept-from (expected: "), e.stderr());
            Processes.Ended s = processes.runToEnd(Processes.java("peer-server.jar", "127.0.0.1", "--send",
                    dir.resolve("missing.bin").toString(), "--to", "someone"));
            assertEquals(2, s.status(), s.stderr());
            assertTrue(s.stderr().contains("--send: " + dir.resolve("missing.bin") + " does not exist (expected: a"
                    + " readable file)"), s.stderr());
            Processes.Ended to = processes.runToEnd(Processes.java("peer-server.jar", "127.0.0.1", "--send",
                    dir.toString(), "--to", "NOT AN ID"));
            assertEquals(2, to.status(), to.stderr());
        }
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
