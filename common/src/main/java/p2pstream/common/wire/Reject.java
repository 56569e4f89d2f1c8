package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * A server will not send a requested chunk; the client asks another peer. Thread-safe (immutable).
 *
 * <pre>REJECT: &lt;len=6&gt;&lt;type=0x27&gt;&lt;index:u32&gt;
 *         &lt;reason:u8 1=not held 2=overloaded 3=unavailable&gt;</pre>
 */
public record Reject(int index, Reason reason) implements Message {

    /** Why a chunk was refused. */
    public enum Reason {
        NOT_HELD, OVERLOADED, UNAVAILABLE;

        int code() {
            return ordinal() + 1;
        }
    }

    @Override
    public MessageType type() {
        return MessageType.REJECT;
    }

    @Override
    public int payloadLength() {
        return 5;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.putInt(index).put((byte) reason.code());
    }

    public static Reject decode(ByteBuffer in) throws ProtocolException {
        int index = Wire.getU31(in, "chunk index");
        int reason = Wire.getU8(in, "reject reason");
        if (reason < 1 || reason > Reason.values().length) {
            throw ProtocolException.malformed("reject reason: " + reason + " (expected: 1..3)");
        }
        Wire.end(in, MessageType.REJECT);
        return new Reject(index, Reason.values()[reason - 1]);
    }
}
