package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * Carries an encoded manifest; the receiver checks it against the content id before decoding it.
 * Thread-safe (the array is not modified after construction).
 *
 * <pre>MANIFEST: &lt;len&gt;&lt;type=0x20&gt;&lt;encoded manifest:len-1 bytes&gt;</pre>
 */
public record ManifestMessage(byte[] encoded) implements Message {

    @Override
    public MessageType type() {
        return MessageType.MANIFEST;
    }

    @Override
    public int payloadLength() {
        return encoded.length;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.put(encoded);
    }

    public static ManifestMessage decode(ByteBuffer in) throws ProtocolException {
        if (!in.hasRemaining()) {
            throw ProtocolException.malformed("manifest: empty (expected: an encoded manifest)");
        }
        byte[] bytes = new byte[in.remaining()];
        in.get(bytes);
        return new ManifestMessage(bytes);
    }
}
