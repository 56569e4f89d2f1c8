package p2pstream.peer.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import p2pstream.common.cli.Quantity;
import p2pstream.common.wire.PeerId;
import picocli.CommandLine.Option;

/**
 * The peer-server's grant options as a picocli mixin: how often a private stream's grants are renewed
 * ({@code --grant-renewal}), and the one-shot {@code --revoke ID} / {@code --unrevoke ID}, which edit the
 * revocations file beside the identity ({@link Revocations}) that a running server of that identity polls. Main
 * thread only.
 */
public final class GrantOptions {
    @Option(names = "--grant-renewal", paramLabel = "DURATION", description = "with --private: grants are valid twice"
            + " this and renewed every period, so a revoked id reads from other readers for two periods at most"
            + " (default: 30s with --live, 30m for shared files; at least 1s)")
    String renewal;

    @Option(names = "--revoke", paramLabel = "ID", description = "revoke a peer id (in IDENTITY-FILE.revoked beside"
            + " --identity) and exit: a running server of that identity lets it in by nothing from the next second on")
    String revoke;

    @Option(names = "--unrevoke", paramLabel = "ID", description = "take a peer id off the revoked ones and exit")
    String unrevoke;

    /** True when the command is only to revoke or unrevoke an id. */
    boolean oneShot() {
        return revoke != null || unrevoke != null;
    }

    /** Runs {@code --revoke} or {@code --unrevoke} on the revocations of {@code identityFile}; the exit status. */
    int run(Path identityFile, PrintStream out) throws IOException {
        if (revoke != null && unrevoke != null) {
            throw new IllegalArgumentException("--revoke: with --unrevoke (expected: one of them)");
        }
        boolean revoking = revoke != null;
        PeerId id;
        try {
            id = PeerId.parse(revoking ? revoke : unrevoke);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((revoking ? "--revoke: " : "--unrevoke: ") + e.getMessage(), e);
        }
        out.println(Revocations.change(Revocations.fileOf(identityFile), id, revoking));
        out.flush();
        return 0;
    }

    /**
     * {@code access} with the renewal asked for, checked: live grants default to {@link Access#LIVE_RENEWAL_MILLIS}
     * (short-lived), files keep theirs.
     */
    Access apply(Access access, boolean live) {
        if (renewal != null) {
            if (!access.isPrivate()) {
                throw new IllegalArgumentException("--grant-renewal: without --private (expected: --private)");
            }
            return access.withGrantRenewal(Quantity.durationMillis("--grant-renewal", renewal, 1000));
        }
        return live && access.isPrivate() ? access.withGrantRenewal(Access.LIVE_RENEWAL_MILLIS) : access;
    }
}
