package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * A peer tells the tracker it holds (part of) a stream. Sent again to update {@code held}. A live stream
 * has size -1 and chunk count 0. Thread-safe (immutable).
 *
 * <pre>ANNOUNCE: &lt;len&gt;&lt;type=0x10&gt;&lt;content id:32&gt;&lt;name:str&gt;&lt;size:i64&gt;
 *           &lt;chunk size:u32&gt;&lt;chunk count:u32&gt;&lt;held:u32&gt;</pre>
 */
public record Announce(ContentId contentId, String name, long size, int chunkSize, int chunkCount, int held)
        implements Message {

    public boolean complete() {
        return size >= 0 && held == chunkCount;
    }

    @Override
    public MessageType type() {
        return MessageType.ANNOUNCE;
    }

    @Override
    public int payloadLength() {
        return ContentId.BYTES + Wire.stringBytes(name) + 8 + 4 + 4 + 4;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        contentId.encode(out);
        Wire.putString(out, name);
        out.putLong(size).putInt(chunkSize).putInt(chunkCount).putInt(held);
    }

    public static Announce decode(ByteBuffer in) throws ProtocolException {
        Announce a = decodeFields(in);
        Wire.end(in, MessageType.ANNOUNCE);
        return a;
    }

    /** Reads and checks the fields, leaving what follows them (PRIVATE_ANNOUNCE's grants) to the caller. */
    public static Announce decodeFields(ByteBuffer in) throws ProtocolException {
        ContentId id = ContentId.decode(in);
        String name = Wire.getName(in, "name");
        long size = Wire.getI64(in, "size");
        int chunkSize = Wire.getU31(in, "chunk size");
        int chunkCount = Wire.getU31(in, "chunk count");
        int held = Wire.getU31(in, "held");
        if (chunkSize < Wire.MIN_CHUNK_BYTES || chunkSize > Wire.MAX_CHUNK_BYTES) {
            throw ProtocolException.malformed("chunk size: " + chunkSize
                    + " (expected: " + Wire.MIN_CHUNK_BYTES + ".." + Wire.MAX_CHUNK_BYTES + ")");
        }
        if (size < -1) {
            throw ProtocolException.malformed("size: " + size + " (expected: >= 0, or -1 for live)");
        }
        long expectedCount = size < 0 ? 0 : (size + chunkSize - 1) / chunkSize;
        if (chunkCount != expectedCount || chunkCount > Wire.MAX_CHUNK_COUNT) {
            throw ProtocolException.malformed("chunk count: " + chunkCount + " (expected: " + expectedCount
                    + ", at most " + Wire.MAX_CHUNK_COUNT + ")");
        }
        if (held > chunkCount) {
            throw ProtocolException.malformed("held: " + held + " (expected: <= " + chunkCount + ")");
        }
        return new Announce(id, name, size, chunkSize, chunkCount, held);
    }
}
