package p2pstream.common.wire;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The tracker's answer to HELLO: the session id it assigned and the address it will hand out for this peer
 * (the address it sees, with the listen port from HELLO). Thread-safe (immutable).
 *
 * <pre>WELCOME: &lt;len&gt;&lt;type=0x02&gt;&lt;session id:i64&gt;&lt;address family:u8 4|16&gt;&lt;address&gt;
 *          &lt;port:u16&gt;</pre>
 */
public record Welcome(long sessionId, InetSocketAddress observedAddress) implements Message {

    @Override
    public MessageType type() {
        return MessageType.WELCOME;
    }

    @Override
    public int payloadLength() {
        return 8 + Wire.addressBytes(observedAddress);
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.putLong(sessionId);
        Wire.putAddress(out, observedAddress);
    }

    public static Welcome decode(ByteBuffer in) throws ProtocolException {
        long session = Wire.getI64(in, "session id");
        InetSocketAddress address = Wire.getAddress(in, "observed address");
        Wire.end(in, MessageType.WELCOME);
        return new Welcome(session, address);
    }
}
