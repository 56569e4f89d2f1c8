package p2pstream.peer.client;

import java.io.Console;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import p2pstream.common.access.AccountAnswer;
import p2pstream.common.access.AccountName;
import p2pstream.common.access.AccountRequest;
import p2pstream.common.access.PasswordHash;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Role;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerClient;
import p2pstream.peer.tracker.TrackerIdentityException;
import picocli.CommandLine.Option;

/**
 * {@code peer-client TRACKER --register NAME}, {@code --login NAME} and {@code --logout NAME [--device ID]}: sends
 * the account's name and password over the encrypted session to the tracker, which binds this peer's id to the
 * account as a device, or takes a device (this one, or a lost one) off it (PROTOCOL.md section 10). The password comes
 * from {@code --password-file} or a console prompt, never the command line. Exit status 0 done, 2 bad command line,
 * 4 tracker unreachable, 6 the tracker proved another id, 7 refused (name taken, wrong password, told to wait, too
 * many devices, not a device of the account). Main thread only.
 */
final class AccountCommand {
    private static final long ANSWER_SECONDS = 60;

    @Option(names = "--register", paramLabel = "NAME", description = "make the account NAME at the tracker (a-z 0-9"
            + " _ . -, up to 32) with a password, this peer id its first device; then exit")
    String register;

    @Option(names = "--login", paramLabel = "NAME", description = "log in to the account NAME at the tracker: this"
            + " peer id becomes one of its devices (peer-server --allow NAME lets every device read); then exit")
    String login;

    @Option(names = "--logout", paramLabel = "NAME", description = "take this peer id (or --device ID) off the"
            + " account NAME's devices: servers that --allow NAME stop letting it read within 30 s; then exit")
    String logout;

    @Option(names = "--device", paramLabel = "ID", description = "with --logout: the device to take off (a lost"
            + " one), by its peer id (default: this peer)")
    String device;

    boolean given() {
        return register != null || login != null || logout != null;
    }

    /** Usage errors of the options, before anything is read or sent. */
    void check() {
        int ops = (register != null ? 1 : 0) + (login != null ? 1 : 0) + (logout != null ? 1 : 0);
        if (ops > 1) {
            throw new IllegalArgumentException("--register, --login, --logout: " + ops + " of them (expected: one)");
        }
        if (device != null && logout == null) {
            throw new IllegalArgumentException("--device: without --logout (expected: --logout NAME --device ID)");
        }
        if (given()) {
            AccountName.check("--" + flag(op()), name());
        }
        if (device != null) {
            deviceId();
        }
    }

    private PeerId deviceId() {
        try {
            return PeerId.parse(device);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--device: " + e.getMessage());
        }
    }

    private AccountRequest.Op op() {
        return register != null ? AccountRequest.Op.REGISTER
                : login != null ? AccountRequest.Op.LOG_IN : AccountRequest.Op.REMOVE_DEVICE;
    }

    private String name() {
        return register != null ? register : login != null ? login : logout;
    }

    private static String flag(AccountRequest.Op op) {
        return switch (op) {
            case REGISTER -> "register";
            case LOG_IN -> "login";
            case REMOVE_DEVICE -> "logout";
        };
    }

    /** Asks the tracker, the password from {@code passwordFile} (--password-file) or the console; the exit status. */
    int run(InetSocketAddress tracker, Security security, Path passwordFile) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        check();
        AccountRequest.Op op = op();
        String name = name();
        PeerId self = security.key().peerId();
        PeerId removed = op != AccountRequest.Op.REMOVE_DEVICE ? null
                : device != null ? deviceId() : self;
        char[] password = password(op, name, passwordFile);
        AccountRequest request;
        try {
            request = new AccountRequest(op, name, password, removed);
        } finally {
            Arrays.fill(password, '\0');
        }
        try (EventLoop loop = new EventLoop("tracker-account").start()) {
            TrackerClient client = new TrackerClient(loop, tracker, security, Role.CLIENT, 0, true);
            client.start();
            AccountAnswer answer;
            try {
                answer = client.account(request).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                String why = StreamFailure.rootMessage(e);
                err.println("peer-client: " + why);
                return StreamFailure.root(e) instanceof TrackerIdentityException ? StreamFailure.TRACKER_IDENTITY
                        : why.contains(" refused ACCOUNT: ") ? StreamFailure.FORBIDDEN : WatchException.UNREACHABLE;
            } finally {
                request.clear();
                client.close();
            }
            String at = name + " at " + tracker.getHostString() + ":" + tracker.getPort() + ": peer ";
            String devices = answer.devices() + " device" + (answer.devices() == 1 ? "" : "s");
            out.println(switch (op) {
                case REGISTER -> "registered " + at + self.text() + " is one of its " + devices;
                case LOG_IN -> "logged in to " + at + self.text() + " is one of its " + devices;
                case REMOVE_DEVICE -> "logged out of " + at + removed.text() + " taken off; " + devices + " left";
            });
            out.flush();
            return 0;
        }
    }

    private static char[] password(AccountRequest.Op op, String name, Path passwordFile) {
        if (passwordFile != null) {
            return PasswordHash.readFirstLine(passwordFile, "--password-file");
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("--" + flag(op) + ": no console to ask the password on (expected:"
                    + " --password-file FILE)");
        }
        char[] first = console.readPassword("password for %s: ", name);
        if (first == null || first.length == 0) {
            throw new IllegalArgumentException("password: empty (expected: at least one character)");
        }
        if (op == AccountRequest.Op.REGISTER) {
            char[] again = console.readPassword("the same password again: ");
            boolean same = Arrays.equals(first, again);
            if (again != null) {
                Arrays.fill(again, '\0');
            }
            if (!same) {
                Arrays.fill(first, '\0');
                throw new IllegalArgumentException("password: the two differ (expected: the same password twice)");
            }
        }
        return first;
    }
}
