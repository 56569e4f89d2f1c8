package p2pstream.common.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import p2pstream.common.identity.Identity;
import p2pstream.common.noise.StaticKey;
import picocli.CommandLine.Option;

/**
 * The identity options of the three programs ({@code --identity FILE}, {@code --whoami}, {@code --plaintext}) as a
 * picocli mixin: which long-term key the process is, printing the peer id derived from it, and whether it allows
 * plaintext with peers that allow it too. Main thread only.
 */
public final class IdentityOptions {
    @Option(names = "--identity", paramLabel = "FILE",
            description = "this process's long-term identity key (default: identity.key in $" + Identity.HOME_VARIABLE
                    + " or ~/.p2pstream, created owner-only on first use)")
    Path file;

    @Option(names = "--plaintext", description = "allow connections in clear after the handshake with peers that"
            + " allow it too (a trusted LAN, a benchmark); both ids are still proved. Default: always encrypted")
    boolean plaintext;

    private Identity loaded;

    @Option(names = "--whoami", description = "print this process's peer id (creating its identity if there is"
            + " none yet) and exit")
    boolean whoami;

    /** True when the command is only to print the peer id. */
    public boolean whoami() {
        return whoami;
    }

    /** The identity key file: {@code --identity}, or the default under the user's home. */
    public Path file() {
        return file != null ? file : Identity.defaultFile();
    }

    /** Whether {@code --plaintext} was given. */
    public boolean plaintext() {
        return plaintext;
    }

    /** Loads (or creates) the identity, once. */
    public Identity identity() throws IOException {
        if (loaded == null) {
            Path f = file();
            try {
                loaded = Identity.loadOrCreate(f);
            } catch (IOException e) {
                String why = e instanceof AccessDeniedException ? "permission denied at " + e.getMessage()
                        : e.getMessage();
                throw new IOException("identity " + f + ": " + why + " (expected: a key file this user can"
                        + " read, or a directory it can create one in; --identity FILE or $" + Identity.HOME_VARIABLE
                        + " names another)", e);
            }
        }
        return loaded;
    }

    /** Loads (or creates) the identity and makes this process's Noise static key, signed by it. */
    public StaticKey staticKey() throws IOException {
        return StaticKey.of(identity(), plaintext);
    }

    /** Loads (or creates) the identity and prints its peer id on {@code out}; the exit status. */
    public int printWhoami(PrintStream out) throws IOException {
        Identity identity = Identity.loadOrCreate(file());
        out.println(identity.peerId().text());
        return 0;
    }
}
