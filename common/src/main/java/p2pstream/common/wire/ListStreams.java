package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * Asks the tracker for the streams whose name contains {@code filter} (empty: all), at most {@code limit}.
 * Thread-safe (immutable).
 *
 * <pre>LIST: &lt;len&gt;&lt;type=0x12&gt;&lt;filter:str&gt;&lt;limit:u16&gt;</pre>
 */
public record ListStreams(String filter, int limit) implements Message {

    @Override
    public MessageType type() {
        return MessageType.LIST;
    }

    @Override
    public int payloadLength() {
        return Wire.stringBytes(filter) + 2;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        Wire.putString(out, filter);
        out.putShort((short) limit);
    }

    public static ListStreams decode(ByteBuffer in) throws ProtocolException {
        String filter = Wire.getString(in, "filter", Wire.MAX_NAME_BYTES);
        int limit = Wire.getU16(in, "limit");
        Wire.end(in, MessageType.LIST);
        return new ListStreams(filter, limit);
    }
}
