package p2pstream.peer.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file kept beside the server's identity (its invites, its revocations): written whole, owner-only, beside the old
 * one, then moved over it, so no reader ever sees it half-written. Any thread; callers serialize their own writes.
 */
final class OwnerFile {
    private OwnerFile() {
    }

    /** Replaces {@code path} with {@code text} (UTF-8), owner-only; {@code tempPrefix} names the file beside it. */
    static void replace(Path path, String text, String tempPrefix) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, tempPrefix, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
