package p2pstream.peer.server;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import p2pstream.common.access.InviteLink;
import p2pstream.common.access.PasswordHash;
import p2pstream.common.net.Acceptor;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Reach;
import picocli.CommandLine.Option;

/**
 * {@code peer-server --private --invite [NAME|PREFIX]} and {@code --password-file FILE} as a picocli mixin: makes
 * the invites asked for, prints each one's {@code p2ps://} link (the page shows them too, with a QR code) and has the
 * server answer REDEEM (PROTOCOL.md section 10). Main thread only.
 */
public final class InviteOptions {
    /** An argument-less --invite: everything shared. */
    private static final String EVERYTHING = "\0everything";

    @Option(names = "--invite", paramLabel = "NAME|PREFIX", arity = "0..1", fallbackValue = EVERYTHING,
            description = "with --private: make an invite and print its link (p2ps://...), which one peer redeems"
                    + " with peer-client LINK: for the shared file NAME, every file under the folder PREFIX, or (no"
                    + " argument) everything shared; repeatable. Unused invites are kept in IDENTITY-FILE.invites")
    List<String> invites = new ArrayList<>();

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "with --private: the provider password (the file's first line); a peer that gives it"
                    + " (peer-client ... --password-file) may read every shared file. Kept in memory only as a slow"
                    + " salted hash")
    Path passwordFile;

    /** The password's slow hash once {@link #check}ed; null without one. */
    private PasswordHash password;

    /** Whether the server takes REDEEM at all: invites or a password asked for. */
    public boolean any() {
        return !invites.isEmpty() || passwordFile != null;
    }

    /**
     * Usage errors before anything starts (without --private, a bad name, a password file that cannot be read);
     * hashes the password (about 0.3 s), which is then kept only so.
     */
    public void check(boolean privateShare) {
        if (any() && !privateShare) {
            throw new IllegalArgumentException((invites.isEmpty() ? "--password-file" : "--invite")
                    + ": without --private (expected: --private, which they let readers into)");
        }
        for (String asked : invites) {
            String problem = asked.equals(EVERYTHING) ? null : InviteLink.scopeProblem(false, scope(asked));
            if (problem != null) {
                throw new IllegalArgumentException("--invite: " + problem);
            }
        }
        if (passwordFile == null) {
            return;
        }
        char[] chars = PasswordHash.readFirstLine(passwordFile, "--password-file");
        try {
            password = PasswordHash.of(chars);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /**
     * Has {@code server} answer REDEEM, makes the invites asked for and prints their links on {@code out}.
     *
     * @param identityFile the server's identity key file, beside which the invites are kept
     * @param trackerAddress where the redeemers find the tracker (by the name it was given)
     * @param trackerId    the tracker's id the links pin, or null
     */
    public void start(PeerServer server, Access access, Path identityFile,
                      InetSocketAddress trackerAddress, PeerId trackerId, PrintStream out) throws IOException {
        String host = trackerAddress.getHostString();
        String tracker = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + trackerAddress.getPort();
        Redemptions redemptions = Redemptions.start(server, access, Invites.beside(identityFile), password);
        int made = 0;
        for (String asked : invites) {
            InviteLink link = redemptions.invite(asked.equals(EVERYTHING) ? "" : scope(asked), tracker, trackerId);
            made++;
            out.println("invite for " + link.covers() + " (one peer, once): peer-client " + link.text());
        }
        String owner = ownerAddress(server);
        if (password != null) {
            out.println("password: peer-client " + tracker + " NAME --peer " + owner + "#" + server.peerId().text()
                    + " --password-file FILE");
        }
        if (redemptions.unusedCount() > made) {
            out.println("invites: " + (redemptions.unusedCount() - made) + " unused from earlier runs still work");
        }
        out.flush();
    }

    /** A folder may be written with a final '/'. */
    private static String scope(String asked) {
        return asked.endsWith("/") ? asked.substring(0, asked.length() - 1) : asked;
    }

    /** HOST:PORT where redeemers reach the server: its own address, or the tracker's word for a wildcard one. */
    static String ownerAddress(PeerServer server) {
        InetSocketAddress a = server.address();
        if (a.getAddress().isAnyLocalAddress()) {
            Reach r = server.reach();
            if (r != null) {
                return Acceptor.hostPort(r.address());
            }
        }
        return Acceptor.hostPort(a);
    }
}
