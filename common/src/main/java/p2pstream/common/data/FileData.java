package p2pstream.common.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A region of a file, written with {@link FileChannel#transferTo} so the bytes go from the page cache
 * to the socket without passing through the heap (sendfile). The channel is not closed by this class; an
 * owner that closes channels (a bounded cache of open files) learns through {@code onRelease} when this region
 * no longer needs it. Loop thread only.
 */
public final class FileData implements Data {
    private final FileChannel file;
    private long position;
    private final long end;
    private Runnable onRelease;

    public FileData(FileChannel file, long position, long count) {
        this(file, position, count, null);
    }

    /** A region whose {@code onRelease} (null for none) runs once, when it is written in full or dropped. */
    public FileData(FileChannel file, long position, long count, Runnable onRelease) {
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("region: " + position + "+" + count + " (expected: non-negative)");
        }
        this.file = file;
        this.position = position;
        this.end = position + count;
        this.onRelease = onRelease;
    }

    @Override
    public long remaining() {
        return end - position;
    }

    @Override
    public long writeTo(WritableByteChannel channel, long maxBytes) throws IOException {
        long count = Math.min(end - position, maxBytes);
        if (count <= 0) {
            if (position == end) {
                release(); // an empty region is done as soon as it is reached
            }
            return 0;
        }
        long written = file.transferTo(position, count, channel);
        if (written == 0 && position >= file.size()) {
            // transferTo answers 0 both for "socket full" and "past end of file": tell them apart or spin forever
            throw new IOException("file truncated: size " + file.size() + " (expected: at least " + end + ")");
        }
        position += written;
        if (position == end) {
            release();
        }
        return written;
    }

    @Override
    public int copyTo(ByteBuffer dst) throws IOException {
        int count = (int) Math.min(end - position, dst.remaining());
        if (count <= 0) {
            if (position == end) {
                release();
            }
            return 0;
        }
        int limit = dst.limit();
        dst.limit(dst.position() + count);
        int read;
        try {
            read = file.read(dst, position); // one pread into the record's own buffer
        } finally {
            dst.limit(limit);
        }
        if (read <= 0) {
            throw new IOException("file truncated: size " + file.size() + " (expected: at least " + end + ")");
        }
        position += read;
        if (position == end) {
            release();
        }
        return read;
    }

    @Override
    public void release() {
        Runnable r = onRelease;
        onRelease = null;
        if (r != null) {
            r.run();
        }
    }

    @Override
    public String toString() {
        return "FileData[" + remaining() + " bytes at " + position + "]";
    }
}
