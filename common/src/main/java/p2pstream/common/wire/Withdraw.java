package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * A peer no longer holds a stream. Thread-safe (immutable).
 *
 * <pre>WITHDRAW: &lt;len=33&gt;&lt;type=0x11&gt;&lt;content id:32&gt;</pre>
 */
public record Withdraw(ContentId contentId) implements Message {

    @Override
    public MessageType type() {
        return MessageType.WITHDRAW;
    }

    @Override
    public int payloadLength() {
        return ContentId.BYTES;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        contentId.encode(out);
    }

    public static Withdraw decode(ByteBuffer in) throws ProtocolException {
        ContentId id = ContentId.decode(in);
        Wire.end(in, MessageType.WITHDRAW);
        return new Withdraw(id);
    }
}
