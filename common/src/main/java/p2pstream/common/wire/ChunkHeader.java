package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * The head of a CHUNK frame. The chunk's bytes follow the index in the same frame and are sent separately
 * (often straight from a file), so this codec writes and reads only the header. Thread-safe (stateless).
 *
 * <pre>CHUNK: &lt;len=5+n&gt;&lt;type=0x26&gt;&lt;index:u32&gt;&lt;chunk bytes:n&gt;</pre>
 */
public final class ChunkHeader {
    /** Length prefix, type and index. */
    public static final int BYTES = Frames.HEADER_BYTES + 4;

    private ChunkHeader() {
    }

    /** A header for a chunk of {@code length} bytes, ready to read. */
    public static ByteBuffer encode(int index, int length) {
        ByteBuffer out = ByteBuffer.allocate(BYTES);
        out.putInt(1 + 4 + length).put((byte) MessageType.CHUNK.code()).putInt(index);
        return out.flip();
    }

    /** Reads the index from a CHUNK payload; the payload is left at the chunk's first byte. */
    public static int decodeIndex(ByteBuffer payload) throws ProtocolException {
        return Wire.getU31(payload, "chunk index");
    }
}
