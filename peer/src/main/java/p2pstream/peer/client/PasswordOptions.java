package p2pstream.peer.client;

import java.io.Console;
import java.nio.file.Path;
import p2pstream.common.access.PasswordHash;
import picocli.CommandLine.Option;

/**
 * Where the viewer's password comes from ({@code --password-file FILE}, or {@code --password}: a prompt on the
 * console), as a picocli mixin: a private stream's provider password (PROTOCOL.md section 10). Main thread only.
 */
public final class PasswordOptions {
    @Option(names = "--password-file", paramLabel = "FILE",
            description = "the password is this file's first line: with --register or --login the account's (default:"
                    + " asked on the console); with a STREAM, the owner's provider password, given to the first --peer"
                    + " HOST:PORT#OWNER-ID before fetching: it lets this peer id read what the owner shares")
    Path file;

    @Option(names = "--password", description = "as --password-file, the password typed at a prompt")
    boolean prompt;

    /** Whether a password is to be given. */
    boolean any() {
        return file != null || prompt;
    }

    /** The password, read from the file's first line or the console; the caller clears it. */
    char[] read() {
        if (file != null && prompt) {
            throw new IllegalArgumentException("--password: with --password-file (expected: one of them)");
        }
        char[] password;
        if (file != null) {
            password = PasswordHash.readFirstLine(file, "--password-file");
        } else {
            Console console = System.console();
            if (console == null) {
                throw new IllegalArgumentException("--password: no console to ask on (expected: --password-file"
                        + " FILE)");
            }
            password = console.readPassword("password: ");
            if (password == null) {
                password = new char[0];
            }
        }
        if (password.length == 0 || password.length > PasswordHash.MAX_PASSWORD_CHARS) {
            throw new IllegalArgumentException("password: " + password.length + " characters (expected: 1.."
                    + PasswordHash.MAX_PASSWORD_CHARS + ")");
        }
        return password;
    }
}
