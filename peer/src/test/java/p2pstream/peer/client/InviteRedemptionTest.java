package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.access.Grant;
import p2pstream.common.access.GrantMessage;
import p2pstream.common.access.InviteLink;
import p2pstream.common.access.PasswordHash;
import p2pstream.common.access.Redeem;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Role;
import p2pstream.peer.server.Access;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.server.Redemptions;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerTrust;
import p2pstream.tracker.Tracker;

/**
 * Invites and the provider password against a real tracker and a private peer-server in one JVM, with separate
 * identities: a redeemed invite's grant names the reader and the file, which it then fetches through the tracker
 * identical; another id's second redemption, unknown secrets and wrong passwords are refused, and guesses are braked
 * (PROTOCOL.md section 10; InviteE2ETest runs the same with the built jars).
 */
@Timeout(90)
class InviteRedemptionTest {
    private static final Identity OWNER = Identity.generate();
    private static final String PASSWORD = "open sesame";

    @TempDir
    Path dir;

    /** A private server sharing club/june.mp4 and top.bin, no id allowed, taking invites and the password. */
    private record Setup(Tracker tracker, PeerServer server, Redemptions redemptions, Path june, Path top)
            implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            tracker.close();
        }
    }

    private Setup start() throws Exception {
        Path june = TestSwarm.randomFile(Files.createDirectories(dir.resolve("share/club")), "june.mp4", 3 << 20, 51);
        Path top = TestSwarm.randomFile(dir.resolve("share"), "top.bin", 600_000, 52);
        Tracker tracker = Tracker.start(Tracker.Config.loopback());
        Access access = Access.allowing(OWNER, List.of());
        PeerServer server = PeerServer.start(PeerServer.Config.loopback(tracker.address(), dir.resolve("share"))
                .withSecurity(new Security(StaticKey.of(OWNER), TrackerTrust.any())).withAccess(access));
        server.announced().get(10, TimeUnit.SECONDS);
        Redemptions r = Redemptions.start(server, access, dir.resolve("owner.key.invites"),
                PasswordHash.of(PASSWORD.toCharArray(), 1_000));
        return new Setup(tracker, server, r, june, top);
    }

    private static String tracker(Setup s) {
        return "127.0.0.1:" + s.tracker().address().getPort();
    }

    private static Grant redeem(Setup s, Identity who, Redeem.Kind kind, byte[] secret) throws Exception {
        try (EventLoop loop = new EventLoop("redeem-test").start()) {
            return Redemption.start(loop, StaticKey.of(who), s.server().address(), OWNER.peerId(),
                    new Redeem(kind, secret), kind == Redeem.Kind.INVITE ? InviteRun.REFUSED
                            : StreamFailure.FORBIDDEN).get(30, TimeUnit.SECONDS);
        }
    }

    private static StreamFailure refused(Setup s, Identity who, Redeem.Kind kind, byte[] secret) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> redeem(s, who, kind, secret));
        return assertInstanceOf(StreamFailure.class, e.getCause());
    }

    private static Security as(Identity who) {
        return new Security(StaticKey.of(who), TrackerTrust.any());
    }

    @Test
    void anInviteLetsOneReaderFetchThroughTheTrackerAndIsRefusedToAnyoneElse() throws Exception {
        try (Setup s = start()) {
            Manifest june = s.server().manifests().stream().filter(m -> m.name().equals("club/june.mp4")).findFirst()
                    .orElseThrow();
            InviteLink link = s.redemptions().invite("club/june.mp4", tracker(s), null);
            assertTrue(link.isFile());
            Identity reader = Identity.generate();
            Grant grant = redeem(s, reader, Redeem.Kind.INVITE, link.secret());
            assertEquals(reader.peerId(), grant.grantee());
            assertEquals(OWNER.peerId(), grant.owner());
            assertEquals(june.contentId(), grant.contentId());

            // no --peer: the owner announced the reader's grant before answering, so the tracker shows it the file
            Path out = dir.resolve("june.mp4");
            TestSwarm.download(Watch.Config.of(s.tracker().address(), june.contentId().hex()).withSecurity(as(reader))
                    .withUpload(false), out);
            assertEquals(TestSwarm.sha256(s.june()), TestSwarm.sha256(out));
            Grant again = redeem(s, reader, Redeem.Kind.INVITE, link.secret());
            assertEquals(reader.peerId(), again.grantee(), "the redeemer may ask again (its answer may be lost)");
            assertEquals(june.contentId(), again.contentId());

            StreamFailure second = refused(s, Identity.generate(), Redeem.Kind.INVITE, link.secret());
            assertEquals(InviteRun.REFUSED, second.exitStatus());
            assertTrue(second.getMessage().contains("invite already used"), second.getMessage());
            WatchException stranger = assertThrows(WatchException.class, () -> TestSwarm.download(
                    Watch.Config.of(s.tracker().address(), june.contentId().hex()).withSecurity(as(Identity.generate()))
                            .withUpload(false), dir.resolve("x.mp4")));
            assertEquals(StreamFailure.NOT_FOUND, stranger.exitStatus(), stranger.getMessage());

            Identity guesser = Identity.generate();
            StreamFailure unknown = refused(s, guesser, Redeem.Kind.INVITE, new byte[20]);
            assertTrue(unknown.getMessage().contains("unknown invite"), unknown.getMessage());
            StreamFailure braked = refused(s, guesser, Redeem.Kind.INVITE, new byte[20]);
            assertEquals(InviteRun.REFUSED, braked.exitStatus());
            assertTrue(braked.getMessage().contains("wait"), braked.getMessage());
        }
    }

    @Test
    void theRightPasswordLetsInEverythingAndWrongOnesAreRefusedThenBraked() throws Exception {
        try (Setup s = start()) {
            Identity reader = Identity.generate();
            Grant grant = redeem(s, reader, Redeem.Kind.PASSWORD, PASSWORD.getBytes(StandardCharsets.UTF_8));
            assertEquals("", grant.prefix(), "the password lets in everything shared");
            Path out = dir.resolve("top.bin");
            TestSwarm.download(Watch.Config.of(s.tracker().address(), "top.bin").withSecurity(as(reader))
                    .withUpload(false), out);
            assertEquals(TestSwarm.sha256(s.top()), TestSwarm.sha256(out));

            Identity guesser = Identity.generate();
            long before = System.nanoTime();
            StreamFailure wrong = refused(s, guesser, Redeem.Kind.PASSWORD, "open sesamE".getBytes(
                    StandardCharsets.UTF_8));
            assertEquals(StreamFailure.FORBIDDEN, wrong.exitStatus());
            assertTrue(wrong.getMessage().contains("wrong password"), wrong.getMessage());
            assertTrue(wrong.getMessage().contains("waits 1 s"), wrong.getMessage());
            int checks = s.redemptions().passwordChecks();
            // even the right password is braked within the wait; a machine slow enough to reach the server past it
            // (1 s after the wrong guess was checked) is let in, and must then have taken that long
            try {
                Grant late = redeem(s, guesser, Redeem.Kind.PASSWORD, PASSWORD.getBytes(StandardCharsets.UTF_8));
                assertEquals(guesser.peerId(), late.grantee());
                assertTrue(System.nanoTime() - before >= TimeUnit.SECONDS.toNanos(1), "let in within the wait");
            } catch (ExecutionException e) {
                StreamFailure braked = assertInstanceOf(StreamFailure.class, e.getCause());
                assertEquals(StreamFailure.FORBIDDEN, braked.exitStatus());
                assertTrue(braked.getMessage().contains("too many wrong guesses"), braked.getMessage());
                assertEquals(checks, s.redemptions().passwordChecks(), "a braked guess costs no hash");
            }
        }
    }

    @HostileCase(value = "Guessing invites and the password: 200 random invite secrets and 50 wrong passwords from"
            + " one address (private peer-server)",
            expect = "a wrong guess is refused (FORBIDDEN) and every guess from that address within the doubling"
                    + " wait is refused at once without a check (RATE_LIMITED, saying how long to wait): at most 8"
                    + " of each kind checked; a right invite from another address still gets its GRANT",
            section = HostileCase.ACCESS)
    void guessesAreBrakedPerAddressAndCostNoHash(Trial trial) throws Exception {
        try (Setup s = start()) {
            InviteLink link = s.redemptions().invite("", tracker(s), null);
            long start = System.nanoTime();
            int forbidden = 0;
            int braked = 0;
            for (int i = 0; i < 250; i++) {
                Redeem guess = i < 200 ? new Redeem(Redeem.Kind.INVITE, Identity.generate().publicKey())
                        : new Redeem(Redeem.Kind.PASSWORD, ("guess " + i).getBytes(StandardCharsets.UTF_8));
                try (RawClient c = RawClient.secure(s.server().address())) {
                    c.send(new Hello(Role.CLIENT, c.peerId, 0, null), guess);
                    ErrorMessage e = c.expectError(ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED);
                    if (e.code() == ErrorCode.FORBIDDEN.code()) {
                        forbidden++;
                    } else {
                        braked++;
                        assertTrue(e.message().contains("wait"), e.message());
                    }
                }
            }
            trial.recordSecondsSince("seconds for the 250 guesses", start);
            trial.record("guesses refused as wrong (FORBIDDEN)", forbidden);
            trial.record("guesses braked without a check (RATE_LIMITED)", braked);
            trial.record("password hashes computed", s.redemptions().passwordChecks());
            // a source's waits double from 1 s (1, 2, 4, ... 64 s): within the test's 90 s at most 8 guesses of each
            // kind are checked, however fast the others come
            assertTrue(forbidden >= 2 && forbidden <= 16, forbidden + " guesses checked");
            assertEquals(250 - forbidden, braked);
            assertTrue(s.redemptions().passwordChecks() <= 8, s.redemptions().passwordChecks() + " hashes");

            try (RawClient c = RawClient.secureFrom(InetAddress.getByName("127.0.0.2"), s.server().address())) {
                c.send(new Hello(Role.CLIENT, c.peerId, 0, null), new Redeem(Redeem.Kind.INVITE, link.secret()));
                Grant g = c.expect(MessageType.GRANT, GrantMessage::decode).grant();
                assertEquals(c.peerId, g.grantee());
            }
            assertFalse(s.server().manifests().isEmpty());
        }
    }
}
