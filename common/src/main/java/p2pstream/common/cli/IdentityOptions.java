package p2pstream.common.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import p2pstream.common.identity.Identity;
import picocli.CommandLine.Option;

/**
 * The identity options of the peer-server and peer-client ({@code --identity FILE}, {@code --whoami}) as a picocli
 * mixin: which long-term key the process is, and printing the peer id derived from it. Main thread only.
 */
public final class IdentityOptions {
    @Option(names = "--identity", paramLabel = "FILE",
            description = "this process's long-term identity key (default: ~/" + Identity.DEFAULT_FILE
                    + ", created owner-only on first use)")
    Path file;

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

    /** Loads (or creates) the identity and prints its peer id on {@code out}; the exit status. */
    public int printWhoami(PrintStream out) throws IOException {
        Identity identity = Identity.loadOrCreate(file());
        out.println(identity.peerId().text());
        return 0;
    }
}
