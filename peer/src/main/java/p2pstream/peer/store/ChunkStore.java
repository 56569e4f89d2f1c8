package p2pstream.peer.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import p2pstream.common.data.Data;
import p2pstream.common.data.FileData;
import p2pstream.common.wire.ContentId;

/**
 * A stream's chunks kept in a file at their offsets (the viewer's output file, or a temporary one), with a
 * record beside it of which chunks were verified, one byte per chunk, so a restarted viewer fetches only what
 * is missing. Chunk and record writes are positional: any thread may {@link #write}; reads for serving use
 * {@link #channel()} with positional transfers.
 *
 * <pre>record: &lt;magic "P2PR":u32&gt;&lt;format:u8=1&gt;&lt;content id:32&gt;&lt;chunk count:u32&gt;
 *         &lt;verified:u8 0|1&gt;*count</pre>
 */
public final class ChunkStore implements Store {
    static final int MAGIC = 0x50325052;
    static final int FORMAT = 1;
    static final int HEADER_BYTES = 4 + 1 + ContentId.BYTES + 4;

    private final Manifest manifest;
    private final Path dataPath;
    private final Path recordPath;
    private final FileChannel data;
    private final FileChannel record;
    private final boolean temporary;
    private final BitSet recorded;

    private ChunkStore(Manifest manifest, Path dataPath, Path recordPath, FileChannel data, FileChannel record,
                       boolean temporary, BitSet recorded) {
        this.manifest = manifest;
        this.dataPath = dataPath;
        this.recordPath = recordPath;
        this.data = data;
        this.record = record;
        this.temporary = temporary;
        this.recorded = recorded;
    }

    /** The record file kept beside {@code data}. */
    public static Path recordPathFor(Path data) {
        return data.resolveSibling(data.getFileName() + ".p2ps");
    }

    /**
     * Opens the store for {@code manifest} in {@code data}, keeping what an earlier run recorded for the same
     * content (its chunks are still to be verified by the caller, see {@link #recorded()}); any other record is
     * started afresh.
     */
    public static ChunkStore open(Manifest manifest, Path data) throws IOException {
        return open(manifest, data, recordPathFor(data), false);
    }

    /** A store in a fresh temporary directory, deleted on {@link #close()}: for a viewer writing to stdout. */
    public static ChunkStore temporary(Manifest manifest) throws IOException {
        Path dir = Files.createTempDirectory("p2pstream-");
        Path data = dir.resolve("stream.data");
        return open(manifest, data, recordPathFor(data), true);
    }

    private static ChunkStore open(Manifest manifest, Path dataPath, Path recordPath, boolean temporary)
            throws IOException {
        FileChannel data = openForWriting(dataPath, false);
        FileChannel record = null;
        try {
            record = openForWriting(recordPath, true);
            // a record without its data (the file was deleted or emptied) describes nothing any more
            BitSet recorded = data.size() == 0 ? null : readRecord(record, manifest);
            if (recorded == null) {
                recorded = new BitSet();
                writeHeader(record, manifest);
            }
            if (data.size() > manifest.size()) {
                data.truncate(manifest.size()); // an earlier, longer file under the same name
            }
            return new ChunkStore(manifest, dataPath, recordPath, data, record, temporary, recorded);
        } catch (IOException | RuntimeException e) {
            data.close();
            if (record != null) {
                record.close();
            }
            throw e;
        }
    }

    @Override
    public Manifest manifest() {
        return manifest;
    }

    public Path dataPath() {
        return dataPath;
    }

    /** The data file, for zero-copy serving. */
    public FileChannel channel() {
        return data;
    }

    /**
     * Chunks an earlier run recorded as verified. Their bytes may have changed since (the file was edited, the
     * process died mid-write), so the caller verifies them again before trusting them.
     */
    public BitSet recorded() {
        return (BitSet) recorded.clone();
    }

    /**
     * Writes verified chunk {@code index} at its offset, then records it. Any thread; chunks do not overlap.
     * A failed write (disk full, file size limit) leaves the chunk unrecorded and says which file and why.
     */
    @Override
    public void write(int index, ByteBuffer chunk) throws IOException {
        ByteBuffer src = chunk.duplicate();
        long position = manifest.chunkOffset(index);
        try {
            while (src.hasRemaining()) {
                position += data.write(src, position);
            }
        } catch (IOException e) {
            throw new IOException("cannot write chunk " + index + " to " + dataPath + ": " + reason(e)
                    + " (expected: room for " + manifest.size() + " bytes)", e);
        }
        // the record byte goes after the data: a crash in between costs a refetch, never a false "verified"
        try {
            record.write(ByteBuffer.wrap(new byte[] {1}), HEADER_BYTES + (long) index);
        } catch (IOException e) {
            throw new IOException("cannot record chunk " + index + " in " + recordPath + ": " + reason(e), e);
        }
    }

    /** Forgets chunk {@code index} (it failed verification on resume). Any thread. */
    public void unrecord(int index) throws IOException {
        record.write(ByteBuffer.wrap(new byte[] {0}), HEADER_BYTES + (long) index);
    }

    /** Reads chunk {@code index} into {@code dst} (cleared first) and flips it; false if the file is short. */
    @Override
    public boolean retains() {
        return false;
    }

    /** A region of the data file: sent with sendfile, played with a zero-copy transfer. */
    @Override
    public Data data(int index) {
        return new FileData(data, manifest.chunkOffset(index), manifest.chunkLength(index));
    }

    @Override
    public Data data(int index, int from, int length) {
        return new FileData(data, manifest.chunkOffset(index) + from, length);
    }

    @Override
    public boolean read(int index, ByteBuffer dst) throws IOException {
        dst.clear().limit(manifest.chunkLength(index));
        long position = manifest.chunkOffset(index);
        while (dst.hasRemaining()) {
            int n = data.read(dst, position);
            if (n < 0) {
                return false;
            }
            position += n;
        }
        dst.flip();
        return true;
    }

    @Override
    public void close() throws IOException {
        try {
            data.close();
            record.close();
        } finally {
            if (temporary) {
                Files.deleteIfExists(dataPath);
                Files.deleteIfExists(recordPath);
                Files.deleteIfExists(dataPath.getParent());
            }
        }
    }

    /**
     * Refuses {@code path} when it is a symbolic link to a regular file or to nothing: an output opened through
     * such a link, placed there by someone else, would truncate and overwrite the file it points to. A link to
     * a device or a pipe ({@code /dev/null}, a FIFO) is the user's way to send the bytes there, and is kept.
     */
    public static void refuseLinkToFile(Path path) throws IOException {
        if (Files.isSymbolicLink(path) && (Files.isRegularFile(path) || !Files.exists(path))) {
            throw new IOException(path + " is a symbolic link (expected: a regular file, or a link to a device)");
        }
    }

    /**
     * Opens {@code path} to read and write. A record ({@code nofollow}) is never opened through a symbolic link
     * at its last component, checked and with NOFOLLOW_LINKS (a link made between the check and the open is
     * refused too); a data file is refused when it is a link to a regular file ({@link #refuseLinkToFile}).
     */
    static FileChannel openForWriting(Path path, boolean nofollow) throws IOException {
        if (nofollow && Files.isSymbolicLink(path)) {
            throw new IOException(path + " is a symbolic link (expected: a regular file)");
        }
        if (!nofollow) {
            refuseLinkToFile(path);
        }
        try {
            return nofollow
                    ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)
                    : FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("cannot open " + path + ": " + reason(e)
                    + " (expected: a writable file in an existing directory)", e);
        }
    }

    /** Why a file operation failed, in words: some exceptions carry only the path as their message. */
    static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException) {
            return e.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static BitSet readRecord(FileChannel record, Manifest manifest) throws IOException {
        int count = manifest.chunkCount();
        if (record.size() != HEADER_BYTES + (long) count) {
            return null;
        }
        ByteBuffer bytes = ByteBuffer.allocate(HEADER_BYTES + count);
        while (bytes.hasRemaining() && record.read(bytes, bytes.position()) > 0) {
            // positional reads until full
        }
        bytes.flip();
        if (bytes.remaining() != HEADER_BYTES + count || bytes.getInt() != MAGIC || bytes.get() != FORMAT) {
            return null;
        }
        ContentId id = new ContentId(bytes.getLong(), bytes.getLong(), bytes.getLong(), bytes.getLong());
        if (!id.equals(manifest.contentId()) || bytes.getInt() != count) {
            return null;
        }
        BitSet recorded = new BitSet(count);
        for (int i = 0; i < count; i++) {
            if (bytes.get() == 1) {
                recorded.set(i);
            }
        }
        return recorded;
    }

    private static void writeHeader(FileChannel record, Manifest manifest) throws IOException {
        record.truncate(0);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES + manifest.chunkCount());
        header.putInt(MAGIC).put((byte) FORMAT);
        manifest.contentId().encode(header);
        header.putInt(manifest.chunkCount());
        header.position(header.limit()).flip();
        long position = 0;
        while (header.hasRemaining()) {
            position += record.write(header, position);
        }
    }
}
