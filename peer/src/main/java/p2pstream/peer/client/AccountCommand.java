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
import p2pstream.common.wire.Role;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerClient;
import p2pstream.peer.tracker.TrackerIdentityException;
import picocli.CommandLine.Option;

/**
 * {@code peer-client TRACKER --register NAME} and {@code --login NAME}: sends the account's name and password over
 * the encrypted session to the tracker, which binds this peer's id to the account as a device (PROTOCOL.md section
 * 10). The password comes from {@code --password-file} or a console prompt, never the command line. Exit status 0
 * done, 2 bad command line, 4 tracker unreachable, 6 the tracker proved another id, 7 refused (name taken, wrong
 * password, told to wait, too many devices). Main thread only.
 */
final class AccountCommand {
    private static final long ANSWER_SECONDS = 60;

    @Option(names = "--register", paramLabel = "NAME", description = "make the account NAME at the tracker (a-z 0-9"
            + " _ . -, up to 32) with a password, this peer id its first device; then exit")
    String register;

    @Option(names = "--login", paramLabel = "NAME", description = "log in to the account NAME at the tracker: this"
            + " peer id becomes one of its devices (peer-server --allow NAME lets every device read); then exit")
    String login;

    boolean given() {
        return register != null || login != null;
    }

    /** Usage errors of the three options, before anything is read or sent. */
    void check() {
        if (register != null && login != null) {
            throw new IllegalArgumentException("--register: with --login (expected: one of them)");
        }
        if (given()) {
            AccountName.check(register != null ? "--register" : "--login", register != null ? register : login);
        }
    }

    /** Asks the tracker, the password from {@code passwordFile} (--password-file) or the console; the exit status. */
    int run(InetSocketAddress tracker, Security security, Path passwordFile) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        check();
        AccountRequest.Op op = register != null ? AccountRequest.Op.REGISTER : AccountRequest.Op.LOG_IN;
        String name = register != null ? register : login;
        char[] password = password(op, name, passwordFile);
        AccountRequest request;
        try {
            request = new AccountRequest(op, name, password);
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
            out.println((op == AccountRequest.Op.REGISTER ? "registered " : "logged in to ") + name + " at "
                    + tracker.getHostString() + ":" + tracker.getPort() + ": peer " + security.key().peerId().text()
                    + " is one of its " + answer.devices() + " device" + (answer.devices() == 1 ? "" : "s"));
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
            throw new IllegalArgumentException("--" + (op == AccountRequest.Op.REGISTER ? "register" : "login")
                    + ": no console to ask the password on (expected: --password-file FILE)");
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
