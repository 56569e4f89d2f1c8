package p2pstream.peer.client;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import p2pstream.peer.store.ChunkStore;

/**
 * The viewer's output, checked before any network work: a mistake there is a usage error found at once, not
 * after peers were contacted. Main thread only.
 */
final class OutputCheck {
    private OutputCheck() {
    }

    /**
     * @param file           the output file, or null for stdout
     * @param force          overwrite an existing file that is not a resumable download
     * @param stdoutTerminal stdout is a terminal (checked only when {@code file} is null)
     * @throws IllegalArgumentException when the output cannot or should not be written
     */
    static void check(Path file, boolean force, boolean stdoutTerminal) {
        if (file == null) {
            if (stdoutTerminal) {
                throw new IllegalArgumentException("--output: - is a terminal (expected: a player reading a pipe,"
                        + " e.g. `| mpv -`, or -o FILE)");
            }
            return;
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--output: " + file + ": directory " + dir + " does not exist"
                    + " (expected: a file in an existing directory)");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("--output: " + file + " is a directory (expected: a file)");
        }
        // a data file with its record beside it is a download to resume: the store checks it is this stream's
        boolean exists = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        if (exists && !force && !Files.exists(ChunkStore.recordPathFor(file))) {
            throw new IllegalArgumentException("--output: " + file + " exists (expected: a new file, an interrupted"
                    + " download of this stream with its .p2ps record, or --force to overwrite it)");
        }
    }
}
