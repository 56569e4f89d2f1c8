package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * The tracker tells a relay to expect a circuit: the two peers it arranged it for will each connect and JOIN with
 * {@code token}; the relay carries the bytes between them. A token not ordered, or used a third time, is refused.
 * Thread-safe (immutable).
 *
 * <pre>CIRCUIT: &lt;len=49&gt;&lt;type=0x1b&gt;&lt;token:16&gt;&lt;fetcher peer id:16&gt;
 *          &lt;holder peer id:16&gt;</pre>
 */
public record CircuitOrder(Token token, PeerId fetcher, PeerId holder) implements Message {

    @Override
    public MessageType type() {
        return MessageType.CIRCUIT;
    }

    @Override
    public int payloadLength() {
        return Token.BYTES + 2 * PeerId.BYTES;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        token.encode(out);
        fetcher.encode(out);
        holder.encode(out);
    }

    public static CircuitOrder decode(ByteBuffer in) throws ProtocolException {
        Token token = Token.decode(in);
        PeerId fetcher = PeerId.decode(in);
        PeerId holder = PeerId.decode(in);
        Wire.end(in, MessageType.CIRCUIT);
        return new CircuitOrder(token, fetcher, holder);
    }
}
