package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * The one frame a peer sends a relay, in clear, before anything else on a circuit connection: which circuit and
 * which end. After it the relay carries every byte to the other end, and the two ends run the secure handshake with
 * each other through it. Thread-safe (immutable).
 *
 * <pre>JOIN: &lt;len=18&gt;&lt;type=0x2b&gt;&lt;token:16&gt;&lt;side:u8 1 fetcher|2 holder&gt;</pre>
 */
public record Join(Token token, boolean fetcher) implements Message {

    @Override
    public MessageType type() {
        return MessageType.JOIN;
    }

    @Override
    public int payloadLength() {
        return Token.BYTES + 1;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        token.encode(out);
        out.put((byte) (fetcher ? 1 : 2));
    }

    public static Join decode(ByteBuffer in) throws ProtocolException {
        Token token = Token.decode(in);
        int side = Wire.getU8(in, "side");
        if (side != 1 && side != 2) {
            throw ProtocolException.malformed("side: " + side + " (expected: 1 fetcher or 2 holder)");
        }
        Wire.end(in, MessageType.JOIN);
        return new Join(token, side == 1);
    }
}
