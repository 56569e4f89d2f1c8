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

    private BufferData(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    /** Wraps the buffer's remaining bytes; the caller gives up the buffer. */
    public static BufferData of(ByteBuffer buffer) {
        return new BufferData(buffer);
    }

    /** An empty buffer of {@code capacity} bytes that frames are {@link #append}ed to. */
    public static BufferData appendable(int capacity) {
        return new BufferData(ByteBuffer.allocate(capacity).limit(0));
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
        if (maxBytes >= buffer.remaining()) {
            return channel.write(buffer);
        }
        int limit = buffer.limit();
        buffer.limit(buffer.position() + (int) maxBytes);
        try {
            return channel.write(buffer);
        } finally {
            buffer.limit(limit);
        }
    }

    @Override
    public String toString() {
        return "BufferData[" + buffer.remaining() + " bytes]";
    }
}
