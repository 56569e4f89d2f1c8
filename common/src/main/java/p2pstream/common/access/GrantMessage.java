package p2pstream.common.access;

import java.nio.ByteBuffer;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * The owner of a private stream hands the reader it has just let in the grant that names it (PROTOCOL.md section
 * 10): right after its HELLO, before the MANIFEST; a reader shows its own after a HELLO with has content 2; either
 * sends a renewed one mid-connection (a private live stream's short-lived grants). Thread-safe (immutable).
 *
 * <pre>GRANT: &lt;len&gt;&lt;type=0x2a&gt;&lt;grant&gt;</pre>
 */
public record GrantMessage(Grant grant) implements Message {

    @Override
    public MessageType type() {
        return MessageType.GRANT;
    }

    @Override
    public int payloadLength() {
        return grant.encodedLength();
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        grant.encode(out);
    }

    /** Reads the grant and checks its signature; what it allows is the receiver's to check. */
    public static GrantMessage decode(ByteBuffer in) throws ProtocolException {
        Grant g = Grant.decode(in);
        Wire.end(in, MessageType.GRANT);
        return new GrantMessage(g);
    }
}
