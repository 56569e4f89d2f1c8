package p2pstream.peer.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/** A shared file's size and modification time: what tells a changed (or still growing) file. Immutable. */
record Stamp(long size, long mtimeNanos) {
    static Stamp of(Path file) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(attrs.size(), attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS));
    }
}
