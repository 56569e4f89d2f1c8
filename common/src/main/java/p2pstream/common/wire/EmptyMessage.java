package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * A message that is only its type: PING, PONG, HAVE_ALL. Thread-safe (immutable).
 *
 * <pre>PING: &lt;len=1&gt;&lt;type=0x04&gt;   PONG: &lt;len=1&gt;&lt;type=0x05&gt;
 * HAVE_ALL: &lt;len=1&gt;&lt;type=0x21&gt;</pre>
 */
public record EmptyMessage(MessageType type) implements Message {
    public static final EmptyMessage PING = new EmptyMessage(MessageType.PING);
    public static final EmptyMessage PONG = new EmptyMessage(MessageType.PONG);
    public static final EmptyMessage HAVE_ALL = new EmptyMessage(MessageType.HAVE_ALL);

    @Override
    public int payloadLength() {
        return 0;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
    }

    public static EmptyMessage decode(MessageType type, ByteBuffer in) throws ProtocolException {
        Wire.end(in, type);
        return switch (type) {
            case PING -> PING;
            case PONG -> PONG;
            case HAVE_ALL -> HAVE_ALL;
            default -> throw new IllegalArgumentException("type: " + type + " (expected: PING, PONG or HAVE_ALL)");
        };
    }
}
