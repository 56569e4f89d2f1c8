package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * Asks the tracker for peers holding a stream, named either by name or by content id (exactly one is
 * set). Thread-safe (immutable).
 *
 * <pre>LOOKUP: &lt;len&gt;&lt;type=0x14&gt;&lt;by:u8 1=name 2=content id&gt;(&lt;name:str&gt;|&lt;content id:32&gt;)
 *         &lt;max peers:u16&gt;</pre>
 */
public record Lookup(String name, ContentId contentId, int maxPeers) implements Message {

    public Lookup {
        if ((name == null) == (contentId == null)) {
            throw new IllegalArgumentException("lookup: name and content id both " + (name == null ? "missing" : "set")
                    + " (expected: exactly one)");
        }
    }

    public static Lookup byName(String name, int maxPeers) {
        return new Lookup(name, null, maxPeers);
    }

    public static Lookup byContentId(ContentId id, int maxPeers) {
        return new Lookup(null, id, maxPeers);
    }

    @Override
    public MessageType type() {
        return MessageType.LOOKUP;
    }

    @Override
    public int payloadLength() {
        return 1 + (name != null ? Wire.stringBytes(name) : ContentId.BYTES) + 2;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        if (name != null) {
            out.put((byte) 1);
            Wire.putString(out, name);
        } else {
            out.put((byte) 2);
            contentId.encode(out);
        }
        out.putShort((short) maxPeers);
    }

    public static Lookup decode(ByteBuffer in) throws ProtocolException {
        int by = Wire.getU8(in, "lookup by");
        String name = null;
        ContentId id = null;
        if (by == 1) {
            name = Wire.getName(in, "name");
        } else if (by == 2) {
            id = ContentId.decode(in);
        } else {
            throw ProtocolException.malformed("lookup by: " + by + " (expected: 1 name or 2 content id)");
        }
        int max = Wire.getU16(in, "max peers");
        Wire.end(in, MessageType.LOOKUP);
        return new Lookup(name, id, max);
    }
}
