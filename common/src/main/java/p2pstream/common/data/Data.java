package p2pstream.common.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A sized byte source that writes itself to a channel, a part at a time: the unit of a connection's
 * outbound queue. Not thread-safe: a Data belongs to the one loop thread that sends it.
 */
public sealed interface Data permits BufferData, FileData {

    /** Bytes still to write. */
    long remaining();

    /**
     * Writes at most {@code maxBytes} of what remains and advances past what was written.
     *
     * @return bytes written, 0 when the channel takes nothing now
     * @throws IOException on a channel error, or when a file region can no longer be read in full
     */
    long writeTo(WritableByteChannel channel, long maxBytes) throws IOException;

    /**
     * Copies what remains, as much as {@code dst} has room for, into {@code dst} and advances past it: the
     * plaintext of a record about to be sealed, read straight into the record's buffer.
     *
     * @return bytes copied
     * @throws IOException when a file region can no longer be read in full
     */
    int copyTo(ByteBuffer dst) throws IOException;

    default long writeTo(WritableByteChannel channel) throws IOException {
        return writeTo(channel, Long.MAX_VALUE);
    }

    /**
     * The connection is done with this data, written in full or dropped unwritten (the connection closed):
     * frees what it holds, such as a lease on a shared file. Idempotent.
     */
    default void release() {
    }
}
