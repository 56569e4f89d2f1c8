package p2pstream.common.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Data held in a {@link ByteBuffer}: control frames, chunk headers, chunks kept in memory. The buffer's
 * position..limit is what remains; it is consumed as it is written. Loop thread only.
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
