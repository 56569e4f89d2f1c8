package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * First frame on every connection, in both directions. On a peer connection it names the content wanted;
 * on a tracker connection it carries none. Thread-safe (immutable).
 *
 * <pre>HELLO: &lt;len&gt;&lt;type=0x01&gt;&lt;magic:u32 "P2PS"&gt;&lt;version:u8&gt;&lt;role:u8&gt;&lt;peer id:16&gt;
 *        &lt;listen port:u16&gt;&lt;has content:u8 0|1|2&gt;[&lt;content id:32&gt;]</pre>
 * has content 2: a content id, and the sender's next frame is a GRANT for that stream (a reader presenting its grant
 * for a private stream to a peer that re-serves it).
 *
 * @param listenPort   port the sender serves on, 0 when it does not serve
 * @param contentId    the stream a peer connection is about, or null
 * @param grantFollows a GRANT frame follows this HELLO (only with a content id)
 */
public record Hello(Role role, PeerId peerId, int listenPort, ContentId contentId, boolean grantFollows)
        implements Message {

    public Hello {
        if (grantFollows && contentId == null) {
            throw new IllegalArgumentException("hello: a grant follows without a content id (expected: a stream)");
        }
    }

    /** A HELLO after which no GRANT follows. */
    public Hello(Role role, PeerId peerId, int listenPort, ContentId contentId) {
        this(role, peerId, listenPort, contentId, false);
    }

    @Override
    public MessageType type() {
        return MessageType.HELLO;
    }

    @Override
    public int payloadLength() {
        return 4 + 1 + 1 + PeerId.BYTES + 2 + 1 + (contentId == null ? 0 : ContentId.BYTES);
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.putInt(Wire.MAGIC).put((byte) Wire.VERSION).put((byte) role.code());
        peerId.encode(out);
        out.putShort((short) listenPort);
        out.put((byte) (contentId == null ? 0 : grantFollows ? 2 : 1));
        if (contentId != null) {
            contentId.encode(out);
        }
    }

    /** Decodes the first frame of a connection, which must be a HELLO. */
    public static Hello decodeFirst(MessageType type, ByteBuffer in) throws ProtocolException {
        if (type != MessageType.HELLO) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "first frame: " + type + " (expected: HELLO)");
        }
        return decode(in);
    }

    public static Hello decode(ByteBuffer in) throws ProtocolException {
        Wire.need(in, 5, "hello");
        int magic = in.getInt();
        if (magic != Wire.MAGIC) {
            throw new ProtocolException(ErrorCode.BAD_HELLO,
                    "magic: 0x" + Integer.toHexString(magic) + " (expected: 0x50325053 \"P2PS\")");
        }
        int version = in.get() & 0xff;
        if (version != Wire.VERSION) {
            throw new ProtocolException(ErrorCode.BAD_HELLO, "version: " + version + " (expected: "
                    + Wire.VERSION + ")");
        }
        Role role = Role.of(Wire.getU8(in, "role"));
        PeerId peerId = PeerId.decode(in);
        int port = Wire.getU16(in, "listen port");
        int hasContent = Wire.getU8(in, "has content");
        if (hasContent > 2) {
            throw ProtocolException.malformed("has content: " + hasContent + " (expected: 0, 1 or 2)");
        }
        ContentId contentId = hasContent >= 1 ? ContentId.decode(in) : null;
        Wire.end(in, MessageType.HELLO);
        return new Hello(role, peerId, port, contentId, hasContent == 2);
    }

    /**
     * Checks the peer id this HELLO claims against the one the connection's handshake proved ({@code proved}; null
     * on a connection without one, where the claim stands unproved).
     */
    public void expectProvedBy(PeerId proved) throws ProtocolException {
        if (proved != null && !proved.equals(peerId)) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION, "hello peer id: " + peerId.text() + " (expected: "
                    + proved.text() + ", the id the handshake proved)");
        }
    }

    /** Throws UNEXPECTED unless this HELLO is about {@code expected}: a peer connection is about one stream. */
    public void expectContent(ContentId expected) throws ProtocolException {
        if (!expected.equals(contentId)) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "hello content id: "
                    + (contentId == null ? "none" : contentId.shortHex()) + " (expected: " + expected.shortHex() + ")");
        }
    }
}
