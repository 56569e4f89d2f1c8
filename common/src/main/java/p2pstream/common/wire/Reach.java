package p2pstream.common.wire;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The tracker's word on whether others can dial a peer: it tried to connect to the address it hands out for the
 * peer (the source IP of the session with the listen port of its HELLO), and says what came of it. A peer that
 * cannot be reached is dialed through the tracker's help (DIAL). Thread-safe (immutable).
 *
 * <pre>REACH: &lt;len&gt;&lt;type=0x1c&gt;&lt;reachable:u8 0|1&gt;&lt;address&gt;</pre>
 */
public record Reach(boolean reachable, InetSocketAddress address) implements Message {

    @Override
    public MessageType type() {
        return MessageType.REACH;
    }

    @Override
    public int payloadLength() {
        return 1 + Wire.addressBytes(address);
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.put((byte) (reachable ? 1 : 0));
        Wire.putAddress(out, address);
    }

    public static Reach decode(ByteBuffer in) throws ProtocolException {
        boolean reachable = Wire.getFlag(in, "reachable");
        InetSocketAddress address = Wire.getAddress(in, "address");
        Wire.end(in, MessageType.REACH);
        return new Reach(reachable, address);
    }
}
