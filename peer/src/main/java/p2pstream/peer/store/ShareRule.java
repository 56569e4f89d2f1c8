package p2pstream.peer.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Which files under a shared directory are streams and which are not: dotfiles and dot-directories (the
 * peer's own {@link SharedDirectory#CACHE_DIR} among them), resume records ({@code *.p2ps}), and the data file
 * of a download still under way (a record beside it that does not record every chunk). A finished download
 * whose record is still there is shared as the whole file. Thread-safe (stateless); reads records from disk,
 * so keep it off loop threads.
 */
final class ShareRule {
    static final String RECORD_SUFFIX = ".p2ps";
    /** Records are read this much at a time: a record of a million chunks does not need a megabyte of heap. */
    private static final int READ_BYTES = 8192;

    private ShareRule() {
    }

    /**
     * Why {@code relative} (a path under the shared root, segment by segment) is not shared, or null when it is.
     * {@code file} is where it is on disk, to look for a record beside it.
     */
    static String whyNotShared(Path relative, Path file) {
        for (Path segment : relative) {
            if (segment.toString().startsWith(".")) {
                return "a dotfile or inside a dot-directory";
            }
        }
        if (relative.getFileName().toString().endsWith(RECORD_SUFFIX)) {
            return "a resume record";
        }
        Path record = ChunkStore.recordPathFor(file);
        if (Files.exists(record, LinkOption.NOFOLLOW_LINKS) && !recordsEveryChunk(record)) {
            return "a download under way (" + record.getFileName() + " does not record every chunk)";
        }
        return null;
    }

    /** True when a directory named {@code name} (not the root) is not walked: a dot-directory. */
    static boolean skipsDirectory(String name) {
        return name.startsWith(".");
    }

    /**
     * True when {@code record} is a well-formed resume record in which every chunk is verified. Anything else
     * (unreadable, torn, another format, a symlink) counts as a download under way: better unshared than
     * announced as whole while it is not.
     */
    static boolean recordsEveryChunk(Path record) {
        // NOFOLLOW_LINKS: a record is never a link, and following one could make a file anywhere decide this
        try (FileChannel in = FileChannel.open(record, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.allocate(READ_BYTES);
            buffer.limit(ChunkStore.HEADER_BYTES);
            if (!readFully(in, buffer, 0)) {
                return false;
            }
            buffer.flip();
            if (buffer.getInt() != ChunkStore.MAGIC || buffer.get() != ChunkStore.FORMAT) {
                return false;
            }
            buffer.position(buffer.position() + 32); // content id: the hashed file says which content it is
            long count = Integer.toUnsignedLong(buffer.getInt());
            if (in.size() != ChunkStore.HEADER_BYTES + count) {
                return false;
            }
            long position = ChunkStore.HEADER_BYTES;
            while (position < in.size()) {
                buffer.clear().limit((int) Math.min(READ_BYTES, in.size() - position));
                if (!readFully(in, buffer, position)) {
                    return false;
                }
                position += buffer.position();
                buffer.flip();
                while (buffer.hasRemaining()) {
                    if (buffer.get() != 1) {
                        return false;
                    }
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean readFully(FileChannel in, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = in.read(buffer, position + buffer.position());
            if (n < 0) {
                return false;
            }
        }
        return true;
    }
}
