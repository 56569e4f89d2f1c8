package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * A message that names one chunk: HAVE, REQUEST, CANCEL. The receiver checks the index against the
 * manifest's chunk count. Thread-safe (immutable).
 *
 * <pre>HAVE: &lt;len=5&gt;&lt;type=0x23&gt;&lt;index:u32&gt;   REQUEST: &lt;len=5&gt;&lt;type=0x24&gt;&lt;index:u32&gt;
 * CANCEL: &lt;len=5&gt;&lt;type=0x25&gt;&lt;index:u32&gt;</pre>
 */
public record IndexMessage(MessageType type, int index) implements Message {

    public static IndexMessage have(int index) {
        return new IndexMessage(MessageType.HAVE, index);
    }

    public static IndexMessage request(int index) {
        return new IndexMessage(MessageType.REQUEST, index);
    }

    public static IndexMessage cancel(int index) {
        return new IndexMessage(MessageType.CANCEL, index);
    }

    @Override
    public int payloadLength() {
        return 4;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.putInt(index);
    }

    public static IndexMessage decode(MessageType type, ByteBuffer in) throws ProtocolException {
        int index = Wire.getU31(in, "chunk index");
        Wire.end(in, type);
        return new IndexMessage(type, index);
    }
}
