package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * A viewer asks the tracker for a connection to a holder it cannot dial (PEERS said so): the tracker has the
 * holder connect back to the viewer, or both connect to each other at once through their NATs, or a relay carry
 * it (DIAL). Only to the asker's own address: nobody can make a holder dial a third party. {@code directOnly}: the
 * asker is relayed to the holder already and tries for a direct path beside it, so a relay is no answer. Thread-safe
 * (immutable).
 *
 * <pre>
 * CONNECT: &lt;len=50&gt;&lt;type=0x1d&gt;&lt;content id:32&gt;&lt;holder peer id:16&gt;&lt;direct only: 0 | 1&gt;
 * </pre>
 */
public record ConnectPeer(ContentId contentId, PeerId holder, boolean directOnly) implements Message {
    /** A first request: any path the tracker can arrange, a relay included. */
    public ConnectPeer(ContentId contentId, PeerId holder) {
        this(contentId, holder, false);
    }

    @Override
    public MessageType type() {
        return MessageType.CONNECT;
    }

    @Override
    public int payloadLength() {
        return ContentId.BYTES + PeerId.BYTES + 1;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        contentId.encode(out);
        holder.encode(out);
        out.put((byte) (directOnly ? 1 : 0));
    }

    public static ConnectPeer decode(ByteBuffer in) throws ProtocolException {
        ContentId id = ContentId.decode(in);
        PeerId holder = PeerId.decode(in);
        boolean directOnly = Wire.getFlag(in, "connect flags");
        Wire.end(in, MessageType.CONNECT);
        return new ConnectPeer(id, holder, directOnly);
    }
}
