package p2pstream.common.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Message;

/**
 * Data held in a {@link ByteBuffer}: control frames, chunk headers, chunks kept in memory. The buffer's
 * position..limit is what remains; it is consumed as it is written, and more frames may be appended after the
 * limit while there is room ({@link #append}). Loop thread only.
 */
public final class BufferData implements Data {
    private final ByteBuffer buffer;
    private Runnable onRelease;

    private BufferData(ByteBuffer buffer, Runnable onRelease) {
        this.buffer = buffer;
        this.onRelease = onRelease;
    }

    /** Wraps the buffer's remaining bytes; the caller gives up the buffer. */
    public static BufferData of(ByteBuffer buffer) {
        return new BufferData(buffer, null);
    }

    /**
     * Wraps a view of bytes someone else owns (a stored chunk shared with readers): {@code onRelease} runs once,
     * when the connection is done with it (written, or dropped by a close), so the owner may reuse the bytes.
     */
    public static BufferData shared(ByteBuffer view, Runnable onRelease) {
        return new BufferData(view, onRelease);
    }

    /** An empty buffer of {@code capacity} bytes that frames are {@link #append}ed to. */
    public static BufferData appendable(int capacity) {
        return new BufferData(ByteBuffer.allocate(capacity).limit(0), null);
    }

    /** Adds {@code message}'s frame after what remains; false (and nothing added) when it does not fit. */
    public boolean append(Message message) {
        int bytes = Frames.HEADER_BYTES + message.payloadLength();
        int position = buffer.position();
        int limit = buffer.limit();
        if (buffer.capacity() - limit < bytes) {
            return false;
        }
        buffer.limit(limit + bytes).position(limit);
        Frames.encode(message, buffer);
        buffer.position(position);
        return true;
    }

    @Override
    public long remaining() {
        return buffer.remaining();
    }

    @Override
    public long writeTo(WritableByteChannel channel, long maxBytes) throws IOException {
        long written;
        if (maxBytes >= buffer.remaining()) {
            written = channel.write(buffer);
        } else {
            int limit = buffer.limit();
            buffer.limit(buffer.position() + (int) maxBytes);
            try {
                written = channel.write(buffer);
            } finally {
                buffer.limit(limit);
            }
        }
        if (!buffer.hasRemaining() && onRelease != null) {
            release(); // written in full: the owner may reuse the bytes
        }
        return written;
    }

    @Override
    public int copyTo(ByteBuffer dst) {
        int count = Math.min(buffer.remaining(), dst.remaining());
        dst.put(dst.position(), buffer, buffer.position(), count);
        dst.position(dst.position() + count);
        buffer.position(buffer.position() + count);
        if (!buffer.hasRemaining() && onRelease != null) {
            release();
        }
        return count;
    }

    /** The bytes that remain, without consuming them. */
    public ByteBuffer view() {
        return buffer.duplicate();
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
        return "BufferData[" + buffer.remaining() + " bytes]";
    }
}
