package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.access.AccountAnswer;
import p2pstream.common.access.AccountRequest;
import p2pstream.common.access.Devices;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;

/**
 * Accounts at a real tracker (PROTOCOL.md section 10): registered in the SQLite file under the data directory, they
 * survive a restart; a log-in binds the session's proved id as a device, which DEVICES then names; a wrong password
 * is refused and the next try told to wait; names taken and bad names are refused; a flood of wrong passwords never
 * holds the registry loop.
 */
@Timeout(120)
class TrackerAccountsTest {
    private static final Identity LAPTOP = Identity.generate();
    private static final Identity PHONE = Identity.generate();
    private static final Identity GUESSER = Identity.generate();
    private static final char[] SECRET = "correct horse battery staple".toCharArray();

    @TempDir
    Path data;

    private Tracker start() throws IOException {
        return Tracker.start(Tracker.Config.loopback().withAccounts(data.resolve("tracker"), 100));
    }

    private static RawClient session(Tracker t, Identity who) throws IOException, ProtocolException {
        RawClient c = RawClient.secure(t.address(), StaticKey.of(who));
        c.trackerHello(0);
        return c;
    }

    private static AccountAnswer ok(Tracker t, Identity who, AccountRequest.Op op, char[] password)
            throws IOException, ProtocolException {
        try (RawClient c = session(t, who)) {
            c.send(new AccountRequest(op, "alice", password.clone()));
            return c.expect(MessageType.ACCOUNT, AccountAnswer::decode);
        }
    }

    private static ErrorMessage refused(Tracker t, Identity who, AccountRequest.Op op, String name, char[] password,
                                        ErrorCode... codes) throws IOException, ProtocolException {
        try (RawClient c = session(t, who)) {
            c.send(new AccountRequest(op, name, password.clone()));
            return c.expectErrorThenEof(codes);
        }
    }

    private static Devices devices(Tracker t, String name) throws IOException, ProtocolException {
        try (RawClient c = session(t, GUESSER)) {
            c.send(new Devices.Ask(name));
            return c.expect(MessageType.DEVICES, Devices::decode);
        }
    }

    @Test
    void accountsSurviveARestartAndAWrongPasswordIsRefusedThenSlowed() throws Exception {
        try (Tracker t = start()) {
            AccountAnswer made = ok(t, LAPTOP, AccountRequest.Op.REGISTER, SECRET);
            assertEquals(1, made.devices());
            ErrorMessage taken = refused(t, PHONE, AccountRequest.Op.REGISTER, "alice", "other".toCharArray(),
                    ErrorCode.FORBIDDEN);
            assertEquals("account alice: taken (expected: a name no one registered)", taken.message());
        }
        Path file = data.resolve("tracker").resolve(AccountStore.FILE);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)
                .contains(new String(SECRET)), "the password is not in the file");

        try (Tracker t = start()) { // same data directory: the account is back
            assertEquals(2, ok(t, PHONE, AccountRequest.Op.LOG_IN, SECRET).devices(), "the phone joins the laptop");
            assertEquals(2, ok(t, PHONE, AccountRequest.Op.LOG_IN, SECRET).devices(), "a device is bound once");
            Devices d = devices(t, "alice");
            assertEquals(Devices.Found.FOUND, d.found());
            assertEquals(List.of(LAPTOP.peerId(), PHONE.peerId()), d.ids());
            assertEquals(Devices.Found.NO_ACCOUNT, devices(t, "bob").found(), "no such account");

            ErrorMessage wrong = refused(t, GUESSER, AccountRequest.Op.LOG_IN, "alice", "guess1".toCharArray(),
                    ErrorCode.FORBIDDEN);
            assertEquals("account alice: wrong password; wait 1 s before the next try", wrong.message());
            ErrorMessage slowed = refused(t, GUESSER, AccountRequest.Op.LOG_IN, "alice", "guess2".toCharArray(),
                    ErrorCode.RATE_LIMITED, ErrorCode.FORBIDDEN);
            // within the second: refused unchecked; past it (a slow machine): checked, and the wait doubled
            assertTrue(slowed.message().startsWith("account alice: tries are slowed: wait ")
                    || slowed.message().equals("account alice: wrong password; wait 2 s before the next try"),
                    slowed.message());
            assertEquals(List.of(LAPTOP.peerId(), PHONE.peerId()), devices(t, "alice").ids(),
                    "the guesser is no device");
        }
    }

    @Test
    void aDeviceIsTakenOffItsAccountWithThePasswordOnly() throws Exception {
        try (Tracker t = start()) {
            ok(t, LAPTOP, AccountRequest.Op.REGISTER, SECRET);
            ok(t, PHONE, AccountRequest.Op.LOG_IN, SECRET);
            // a lost phone, taken off from the laptop
            try (RawClient c = session(t, LAPTOP)) {
                c.send(new AccountRequest(AccountRequest.Op.REMOVE_DEVICE, "alice", SECRET.clone(), PHONE.peerId()));
                AccountAnswer left = c.expect(MessageType.ACCOUNT, AccountAnswer::decode);
                assertEquals(AccountRequest.Op.REMOVE_DEVICE, left.op());
                assertEquals(1, left.devices());
            }
            assertEquals(List.of(LAPTOP.peerId()), devices(t, "alice").ids());
            try (RawClient c = session(t, LAPTOP)) {
                c.send(new AccountRequest(AccountRequest.Op.REMOVE_DEVICE, "alice", SECRET.clone(), PHONE.peerId()));
                assertEquals("account alice: peer " + PHONE.peerId().text() + " is not one of its 1 devices"
                        + " (expected: a device of the account)", c.expectErrorThenEof(ErrorCode.NOT_FOUND).message());
            }
            // the last device too: the account stays (its name is not free again), with no device
            try (RawClient c = session(t, LAPTOP)) {
                c.send(new AccountRequest(AccountRequest.Op.REMOVE_DEVICE, "alice", SECRET.clone(), LAPTOP.peerId()));
                assertEquals(0, c.expect(MessageType.ACCOUNT, AccountAnswer::decode).devices());
            }
            Devices none = devices(t, "alice");
            assertEquals(Devices.Found.FOUND, none.found());
            assertEquals(List.of(), none.ids());
            assertEquals(1, ok(t, LAPTOP, AccountRequest.Op.LOG_IN, SECRET).devices(), "and back");
            try (RawClient c = session(t, GUESSER)) {
                c.send(new AccountRequest(AccountRequest.Op.REMOVE_DEVICE, "alice", "guess".toCharArray(),
                        LAPTOP.peerId()));
                assertEquals("account alice: wrong password; wait 1 s before the next try",
                        c.expectErrorThenEof(ErrorCode.FORBIDDEN).message());
            }
            assertEquals(List.of(LAPTOP.peerId()), devices(t, "alice").ids(), "a wrong password removes nothing");
        }
    }

    @Test
    void oneAddressRegistersABurstThenIsSlowed() throws Exception {
        try (Tracker t = start()) {
            for (int i = 0; i < RegistrationLimit.BURST; i++) {
                try (RawClient c = session(t, Identity.generate())) {
                    c.send(new AccountRequest(AccountRequest.Op.REGISTER, "user" + i, SECRET.clone()));
                    assertEquals(1, c.expect(MessageType.ACCOUNT, AccountAnswer::decode).devices());
                }
            }
            ErrorMessage slowed = refused(t, GUESSER, AccountRequest.Op.REGISTER, "one.more", SECRET,
                    ErrorCode.RATE_LIMITED);
            assertTrue(slowed.message().matches("accounts: 8 registrations from this address lately: wait 3[0-9][0-9]"
                    + " s before the next \\(expected: at most 8 at once, then one every 6 minutes\\)"),
                    slowed.message());
            try (RawClient c = session(t, LAPTOP)) {
                c.send(new AccountRequest(AccountRequest.Op.LOG_IN, "user0", SECRET.clone()));
                assertEquals(2, c.expect(MessageType.ACCOUNT, AccountAnswer::decode).devices(),
                        "logging in is not slowed by it");
            }
        }
    }

    @Test
    void badNamesAndTrackersWithoutAccountsAreRefused() throws Exception {
        try (Tracker t = start()) {
            try (RawClient c = session(t, LAPTOP)) {
                byte[] bad = {1, 0, 5, 'A', 'l', 'i', 'c', 'e', 0, 1, 'x'}; // capitals: not an account name
                c.sendFrame(MessageType.ACCOUNT.code(), bad);
                c.expectErrorThenEof(ErrorCode.BAD_NAME);
            }
        }
        try (Tracker none = Tracker.start(Tracker.Config.loopback()); RawClient c = session(none, LAPTOP)) {
            // a tracker without accounts says so to DEVICES (a server asks every 30 s: its session stays up) ...
            c.send(new Devices.Ask("alice"));
            assertEquals(Devices.Found.NO_ACCOUNT, c.expect(MessageType.DEVICES, Devices::decode).found());
            c.send(new Devices.Ask("bob"));
            assertEquals(Devices.Found.NO_ACCOUNT, c.expect(MessageType.DEVICES, Devices::decode).found());
            // ... and refuses ACCOUNT
            c.send(new AccountRequest(AccountRequest.Op.LOG_IN, "alice", SECRET.clone()));
            assertTrue(c.expectErrorThenEof(ErrorCode.NOT_FOUND).message().contains("keeps none"));
        }
    }

    /** One log-in with the right password: true when it is taken, false when told to wait. */
    private static boolean loggedIn(Tracker t) {
        try (RawClient c = session(t, LAPTOP)) {
            c.send(new AccountRequest(AccountRequest.Op.LOG_IN, "alice", SECRET.clone()));
            RawClient.Frame f = c.read();
            if (f.type() == MessageType.ACCOUNT.code()) {
                return AccountAnswer.decode(f.buffer()).devices() == 1;
            }
            ErrorMessage e = ErrorMessage.decode(f.buffer());
            assertEquals(ErrorCode.RATE_LIMITED.code(), e.code(), e.message());
            return false;
        } catch (IOException | ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    @HostileCase(value = "A flood of log-ins with wrong passwords: 40 sessions at once, then 40 more (tracker)",
            expect = "each is refused: FORBIDDEN wrong password (hashed, one at a time, each doubling the wait: 1, 2,"
                    + " 4 s...) or RATE_LIMITED told to wait (no hash); a LOOKUP on another session is answered"
                    + " meanwhile; the right password works once the wait is over", section = HostileCase.ACCESS)
    void aFloodOfWrongPasswordsIsSlowedAndNeverHoldsTheRegistry(Trial trial) throws Exception {
        try (Tracker t = start()) {
            ok(t, LAPTOP, AccountRequest.Op.REGISTER, SECRET);
            List<Long> waits = new ArrayList<>(); // what each hashed (wrong) try was told to wait, in seconds
            int slowed = 0;
            for (int round = 0; round < 2; round++) {
                List<RawClient> flood = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    RawClient c = session(t, GUESSER);
                    c.send(new AccountRequest(AccountRequest.Op.LOG_IN, "alice", ("guess" + i).toCharArray()));
                    flood.add(c);
                }
                try (RawClient other = session(t, PHONE)) {
                    long start = System.nanoTime();
                    other.send(Lookup.byName("anything", 10));
                    assertFalse(other.expect(MessageType.PEERS, Peers::decode).found());
                    trial.recordSecondsSince("seconds to answer a LOOKUP during the flood", start);
                }
                for (RawClient c : flood) {
                    ErrorMessage e = c.expectErrorThenEof(ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED);
                    if (e.code() == ErrorCode.FORBIDDEN.code()) {
                        waits.add(Long.parseLong(e.message().replaceAll(".*wait (\\d+) s.*", "$1")));
                    } else {
                        slowed++;
                    }
                    c.close();
                }
            }
            trial.record("wrong passwords checked (hashed)", waits.size());
            trial.record("tries told to wait without a hash", slowed);
            assertEquals(80, waits.size() + slowed);
            assertTrue(slowed > 0, "tries that came while one was checked were told to wait unchecked");
            // every hashed try doubled the wait before the next: 1, 2, 4, ... s, however slow the machine
            waits.sort(null);
            for (int i = 0; i < waits.size(); i++) {
                assertEquals(Math.min(60, 1L << i), waits.get(i), "waits told: " + waits);
            }
            // the owner, from the same address, once the brake has let go (the longest wait told: at most 60 s)
            await("the right password logs in once the wait is over", 90_000, () -> loggedIn(t));
        }
    }
}
