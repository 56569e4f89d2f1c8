package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * A peer tells the tracker it carries circuits for peers that cannot reach each other (a `peer-server --relay`), on
 * {@code port} of the address the tracker sees it at. The tracker takes the offer only from a peer its dial-back
 * reached. Thread-safe (immutable).
 *
 * <pre>RELAY: &lt;len=3&gt;&lt;type=0x1f&gt;&lt;port:u16, not 0&gt;</pre>
 */
public record RelayOffer(int port) implements Message {

    public RelayOffer {
        Wire.checkPort(port);
    }

    @Override
    public MessageType type() {
        return MessageType.RELAY;
    }

    @Override
    public int payloadLength() {
        return 2;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.putShort((short) port);
    }

    public static RelayOffer decode(ByteBuffer in) throws ProtocolException {
        int port = Wire.getPort(in, "port");
        Wire.end(in, MessageType.RELAY);
        return new RelayOffer(port);
    }
}
