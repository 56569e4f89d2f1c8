package p2pstream.tracker;

import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.AccountAnswer;
import p2pstream.common.access.AccountRequest;
import p2pstream.common.access.Devices;
import p2pstream.common.access.GuessLimit;
import p2pstream.common.net.Connection;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * One session's ACCOUNT and DEVICES (PROTOCOL.md section 10): refused in plaintext (a password never travels in
 * clear), handed to the registry loop's {@link Accounts}, and answered back here. The session reads nothing more
 * while one is at the store, so a session has one at a time and a flood waits in TCP. A refused ACCOUNT is an ERROR
 * and the session's end: a guesser pays a new connection and handshake for every try. Session's loop only.
 */
final class SessionAccounts {
    private static final Logger log = LoggerFactory.getLogger(SessionAccounts.class);

    private final Tracker tracker;
    private final Connection connection;
    private final PeerId device;

    SessionAccounts(Tracker tracker, Connection connection, PeerId device) {
        this.tracker = tracker;
        this.connection = connection;
        this.device = device;
    }

    void onAccount(ByteBuffer payload) throws ProtocolException {
        encrypted("account");
        AccountRequest r = AccountRequest.decode(payload);
        Accounts accounts = accounts(r);
        connection.autoRead(false);
        tracker.registryLoop().execute(() -> accounts.onRequest(r, device, connection.remoteAddress().getAddress(),
                v -> connection.loop().execute(() -> answer(r, v))));
    }

    void onDevices(ByteBuffer payload) throws ProtocolException {
        encrypted("devices");
        Devices.Ask ask = Devices.Ask.decode(payload);
        Accounts accounts = tracker.accounts();
        if (accounts == null) {
            // no account exists here: said, not refused (a peer-server asks every 30 s and its session stays up)
            connection.send(new Devices(ask.name(), Devices.Found.NO_ACCOUNT, List.of()));
            return;
        }
        connection.autoRead(false);
        tracker.registryLoop().execute(() -> accounts.devices(ask.name(), answer -> connection.loop().execute(() -> {
            if (connection.isOpen()) {
                connection.send(answer);
                connection.autoRead(true);
            }
        })));
    }

    private void encrypted(String what) throws ProtocolException {
        if (!connection.isEncrypted()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, what + " on a plaintext session (expected: an encrypted"
                    + " one; a password or an account's devices never travel in plaintext)");
        }
    }

    private Accounts accounts(AccountRequest r) throws ProtocolException {
        Accounts accounts = tracker.accounts();
        if (accounts == null) {
            r.clear();
            throw new ProtocolException(ErrorCode.NOT_FOUND, "accounts: this tracker keeps none (expected: a"
                    + " tracker started with accounts; see tracker --help, --data)");
        }
        return accounts;
    }

    private static String wait(Accounts.Verdict v) {
        return GuessLimit.seconds(v.waitMillis());
    }

    private void answer(AccountRequest r, Accounts.Verdict v) {
        if (!connection.isOpen()) {
            return;
        }
        String account = "account " + r.name() + ": ";
        String wait = v.waitMillis() > 0 ? "; wait " + GuessLimit.seconds(v.waitMillis()) + " before the next try" : "";
        ProtocolException refused = switch (v.outcome()) {
            case OK -> null;
            case TAKEN -> new ProtocolException(ErrorCode.FORBIDDEN, account + "taken (expected: a name no one"
                    + " registered)");
            case WRONG_PASSWORD -> new ProtocolException(ErrorCode.FORBIDDEN, account + "wrong password" + wait);
            case NO_ACCOUNT -> new ProtocolException(ErrorCode.FORBIDDEN, account + "no such account" + wait);
            case NO_DEVICE -> new ProtocolException(ErrorCode.NOT_FOUND, account + "peer " + r.device().text()
                    + " is not one of its " + v.devices() + " devices (expected: a device of the account)");
            case ACCOUNTS_FULL -> new ProtocolException(ErrorCode.FORBIDDEN, "accounts: full (expected: at most"
                    + " the tracker's --max-accounts)");
            case DEVICES_FULL -> new ProtocolException(ErrorCode.FORBIDDEN, account + AccountAnswer.MAX_DEVICES
                    + " devices (expected: at most " + AccountAnswer.MAX_DEVICES + ")");
            case WAIT -> new ProtocolException(ErrorCode.RATE_LIMITED, account + "tries are slowed: wait "
                    + GuessLimit.seconds(v.waitMillis()) + " before the next try");
            case REGISTERED_LATELY -> new ProtocolException(ErrorCode.RATE_LIMITED, "accounts: "
                    + RegistrationLimit.BURST + " registrations from this address lately: wait " + wait(v)
                    + " before the next (expected: at most " + RegistrationLimit.BURST + " at once, then one every "
                    + RegistrationLimit.REFILL_MILLIS / 60_000 + " minutes)");
            case BUSY -> new ProtocolException(ErrorCode.RATE_LIMITED, "accounts: " + Accounts.MAX_CHECKS_IN_FLIGHT
                    + " password checks under way (expected: fewer; try again)");
            case FAILED -> new ProtocolException(ErrorCode.INTERNAL, "accounts: the store failed (see the"
                    + " tracker's log)");
        };
        if (refused != null) {
            log.info("{} {} {}: refused: {}", connection.remoteAddress(), r.op(), r.name(), refused.getMessage());
            connection.fail(refused);
            return;
        }
        connection.send(new AccountAnswer(r.op(), v.devices()));
        connection.autoRead(true);
    }
}
