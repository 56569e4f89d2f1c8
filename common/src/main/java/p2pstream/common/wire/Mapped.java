package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * A peer tells the tracker its router forwards {@code port} of the router's public address to its listening port
 * (a NAT-PMP or PCP mapping it asked for): the tracker dials it back there and, reached, hands that address out.
 * Thread-safe (immutable).
 *
 * <pre>MAPPED: &lt;len=3&gt;&lt;type=0x1a&gt;&lt;external port:u16, not 0&gt;</pre>
 */
public record Mapped(int port) implements Message {

    public Mapped {
        Wire.checkPort(port);
    }

    @Override
    public MessageType type() {
        return MessageType.MAPPED;
    }

    @Override
    public int payloadLength() {
        return 2;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.putShort((short) port);
    }

    public static Mapped decode(ByteBuffer in) throws ProtocolException {
        int port = Wire.getPort(in, "external port");
        Wire.end(in, MessageType.MAPPED);
        return new Mapped(port);
    }
}
