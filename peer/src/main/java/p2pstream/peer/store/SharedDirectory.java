package p2pstream.peer.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitor;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.wire.Wire;

/**
 * A directory shared by a peer-server: lists its files as relative '/'-separated stream names and maps a
 * name back to a file, refusing any name that would leave the directory (by {@code ..}, an absolute path or
 * a symbolic link). Thread-safe (immutable); {@link #names()} does blocking disk I/O, so keep it off loop threads.
 */
public final class SharedDirectory {
    /** Directory at the root holding the peer's own data (manifest cache); never shared. */
    public static final String CACHE_DIR = ".p2pstream";

    private static final Logger log = LoggerFactory.getLogger(SharedDirectory.class);

    private final Path root;
    private final Path cacheDir;

    public SharedDirectory(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            if (Files.exists(root)) {
                throw new NotDirectoryException(root.toString());
            }
            throw new NoSuchFileException(root.toString(), null, "shared directory does not exist");
        }
        // real path: every containment check below compares real paths, so the root must be one too
        this.root = root.toRealPath();
        this.cacheDir = this.root.resolve(CACHE_DIR);
    }

    /** The shared directory, as a real path (symbolic links resolved). */
    public Path root() {
        return root;
    }

    /** {@code root/.p2pstream}: where this peer keeps its own files, such as the manifest cache. */
    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * Every regular file under the root, recursively, as names accepted by {@link #resolve}, sorted. Symbolic
     * links to files inside the root are listed; links leading outside, directory links, files whose names are
     * not valid stream names and what {@link ShareRule} leaves out (dotfiles, dot-directories such as the cache,
     * resume records, downloads under way) are skipped. Unreadable directories are skipped too.
     */
    public List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        // no FOLLOW_LINKS: a directory link is reported to visitFile, never descended, so a walk cannot leave
        // the root or loop; files reached through one are listed under their real location anyway
        Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE,
                new FileVisitor<Path>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        if (!dir.equals(root) && ShareRule.skipsDirectory(dir.getFileName().toString())) {
                            log.debug("shared directory: skipping {}: a dot-directory", dir);
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        String name = listable(file, attrs);
                        if (name != null) {
                            names.add(name);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        log.warn("shared directory: skipping {}: {}", file, e.toString());
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                        if (e != null) {
                            log.warn("shared directory: listing of {} stopped early: {}", dir, e.toString());
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
        Collections.sort(names);
        return names;
    }

    /** The stream name of {@code file} when it should be listed, else null (logged at DEBUG). */
    private String listable(Path file, BasicFileAttributes attrs) {
        Path target = file;
        if (attrs.isSymbolicLink()) {
            Path real;
            try {
                real = file.toRealPath();
            } catch (IOException e) {
                log.debug("shared directory: skipping broken link {}: {}", file, e.toString());
                return null;
            }
            if (!real.startsWith(root) || real.startsWith(cacheDir)) {
                log.debug("shared directory: skipping {}: links to {}, outside the shared files", file, real);
                return null;
            }
            if (!Files.isRegularFile(real)) {
                log.debug("shared directory: skipping {}: links to {}, not a regular file", file, real);
                return null;
            }
            target = real;
        } else if (!attrs.isRegularFile()) {
            log.debug("shared directory: skipping {}: not a regular file", file);
            return null;
        }
        Path relative = root.relativize(file);
        String why = ShareRule.whyNotShared(relative, file);
        if (why == null && target != file) {
            // the rule holds for what a link leads to as well: no sharing a partial download under another name
            why = ShareRule.whyNotShared(root.relativize(target), target);
        }
        if (why != null) {
            log.debug("shared directory: skipping {}: {}", file, why);
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (Path segment : relative) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(segment);
        }
        String name = sb.toString();
        try {
            checkName(name);
        } catch (IllegalArgumentException e) {
            log.debug("shared directory: skipping {}: {}", file, e.getMessage());
            return null;
        }
        // a file name that is not valid in the platform charset decodes lossily (to U+FFFD); it could be
        // listed but never resolved back, so leave it out
        if (!root.resolve(name).equals(file)) {
            log.debug("shared directory: skipping {}: its name does not survive decoding as {}", file, name);
            return null;
        }
        return name;
    }

    /**
     * Throws unless {@code name} is a safe relative stream name: non-empty, at most
     * {@link Wire#MAX_NAME_BYTES} UTF-8 bytes, '/'-separated segments none of which is empty, {@code .} or
     * {@code ..}, no leading '/', drive letter, backslash or control character, not inside {@link #CACHE_DIR}.
     * It checks the text only: {@link #resolve} also checks where the name leads on disk.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code name}
     */
    public static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name: " + (name == null ? "null" : "empty")
                    + " (expected: a relative path such as dir/file.mp4)");
        }
        String shown = printable(name);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw new IllegalArgumentException("name: " + shown + " has control character 0x"
                        + Integer.toHexString(c) + " at " + i + " (expected: printable characters)");
            }
            if (c == '\\') {
                throw new IllegalArgumentException("name: " + shown + " has a backslash at " + i
                        + " (expected: '/' as the only separator)");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < name.length()
                        && Character.isLowSurrogate(name.charAt(i + 1))) {
                    i++;
                } else {
                    throw new IllegalArgumentException("name: " + shown + " has a lone surrogate at " + i
                            + " (expected: valid Unicode)");
                }
            }
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > Wire.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("name: " + bytes + " UTF-8 bytes (expected: <= "
                    + Wire.MAX_NAME_BYTES + ")");
        }
        if (name.charAt(0) == '/') {
            throw new IllegalArgumentException("name: " + shown
                    + " is absolute (expected: a path relative to the shared directory)");
        }
        if (name.length() >= 2 && name.charAt(1) == ':' && isAsciiLetter(name.charAt(0))) {
            throw new IllegalArgumentException("name: " + shown
                    + " starts with a drive letter (expected: a path relative to the shared directory)");
        }
        String[] segments = name.split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("name: " + shown + " has segment '" + segment
                        + "' (expected: segments other than '', '.' and '..')");
            }
        }
        // case-insensitive: on macOS and Windows ".P2PSTREAM" is the same directory
        if (segments.length > 1 && segments[0].equalsIgnoreCase(CACHE_DIR)) {
            throw new IllegalArgumentException("name: " + shown + " is in " + CACHE_DIR
                    + " (expected: a shared file, not the peer's own cache)");
        }
    }

    /**
     * The file named {@code name}, as a real path inside the root.
     *
     * @throws IllegalArgumentException when the name is malformed or leads outside the root (e.g. by a link)
     * @throws NoSuchFileException when no regular file has that name
     */
    public Path resolve(String name) throws IOException {
        checkName(name);
        Path path = root.resolve(name).normalize();
        if (!path.startsWith(root)) {
            // checkName refuses '..', so only a platform path rule it does not know about can get here
            throw new IllegalArgumentException("name: " + printable(name) + " leads to " + path
                    + " (expected: a file under " + root + ")");
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(name, null, "no such file in the shared directory");
        }
        if (!real.startsWith(root) || real.startsWith(cacheDir)) {
            throw new IllegalArgumentException("name: " + printable(name) + " links to " + real
                    + " (expected: a shared file under " + root + ")");
        }
        if (!Files.isRegularFile(real)) {
            throw new NoSuchFileException(name, null, "not a regular file in the shared directory");
        }
        return real;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    // names come from the network: quote them, escape control characters, and cut them for the message
    private static String printable(String name) {
        StringBuilder sb = new StringBuilder("'");
        int limit = Math.min(name.length(), 200);
        for (int i = 0; i < limit; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (limit < name.length()) {
            sb.append("...");
        }
        return sb.append('\'').toString();
    }
}
