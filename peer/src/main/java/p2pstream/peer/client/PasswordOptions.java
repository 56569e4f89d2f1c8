package p2pstream.peer.client;

import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import p2pstream.common.access.PasswordHash;
import picocli.CommandLine.Option;

/**
 * Where the viewer's password comes from ({@code --password-file FILE}, or {@code --password}: a prompt on the
 * console), as a picocli mixin: a private stream's provider password (PROTOCOL.md section 10). Main thread only.
 */
public final class PasswordOptions {
    @Option(names = "--password-file", paramLabel = "FILE",
            description = "give the stream owner's provider password (this file's first line) to the first --peer,"
                    + " HOST:PORT#OWNER-ID, before fetching: it lets this peer id read what the owner shares")
    Path file;

    @Option(names = "--password", description = "as --password-file, the password typed at a prompt")
    boolean prompt;

    /** Whether a password is to be given. */
    boolean any() {
        return file != null || prompt;
    }

    /** The password, read from the file's first line or the console; the caller clears it. */
    char[] read() throws IOException {
        if (file != null && prompt) {
            throw new IllegalArgumentException("--password: with --password-file (expected: one of them)");
        }
        char[] password;
        if (file != null) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new IllegalArgumentException("--password-file: " + file + " cannot be read: " + e
                        + " (expected: a file holding the password)", e);
            }
            int end = 0;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            password = PasswordHash.chars(Arrays.copyOf(bytes, end));
            Arrays.fill(bytes, (byte) 0);
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
