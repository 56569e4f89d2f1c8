package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * A viewer asks the tracker for a connection to a holder it cannot dial (PEERS said so): the tracker has the
 * holder connect back to the viewer, or both connect to each other at once through their NATs (DIAL). Only to
 * the asker's own address: nobody can make a holder dial a third party. Thread-safe (immutable).
 *
 * <pre>CONNECT: &lt;len=49&gt;&lt;type=0x1d&gt;&lt;content id:32&gt;&lt;holder peer id:16&gt;</pre>
 */
public record ConnectPeer(ContentId contentId, PeerId holder) implements Message {

    @Override
    public MessageType type() {
        return MessageType.CONNECT;
    }

    @Override
    public int payloadLength() {
        return ContentId.BYTES + PeerId.BYTES;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        contentId.encode(out);
        holder.encode(out);
    }

    public static ConnectPeer decode(ByteBuffer in) throws ProtocolException {
        ContentId id = ContentId.decode(in);
        PeerId holder = PeerId.decode(in);
        Wire.end(in, MessageType.CONNECT);
        return new ConnectPeer(id, holder);
    }
}
