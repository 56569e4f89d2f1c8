package p2pstream.common.wire;

import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Which chunks the sender holds: bit i (most significant bit first) is chunk i; spare bits are zero.
 * Thread-safe (immutable view of a copied set).
 *
 * <pre>BITFIELD: &lt;len=1+ceil(n/8)&gt;&lt;type=0x22&gt;&lt;bits:ceil(n/8) bytes&gt;
 *           (n = the manifest's chunk count)</pre>
 */
public record Bitfield(BitSet chunks, int chunkCount) implements Message {

    public Bitfield {
        chunks = (BitSet) chunks.clone();
    }

    /** A copy of the set: the record stays immutable. */
    @Override
    public BitSet chunks() {
        return (BitSet) chunks.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.BITFIELD;
    }

    @Override
    public int payloadLength() {
        return (chunkCount + 7) / 8;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        int start = out.position();
        for (int i = 0; i < payloadLength(); i++) {
            out.put(start + i, (byte) 0);
        }
        for (int i = chunks.nextSetBit(0); i >= 0 && i < chunkCount; i = chunks.nextSetBit(i + 1)) {
            int at = start + (i >>> 3);
            out.put(at, (byte) (out.get(at) | (0x80 >>> (i & 7))));
        }
        out.position(start + payloadLength());
    }

    /** Decodes against the chunk count the receiver knows from the manifest. */
    public static Bitfield decode(ByteBuffer in, int chunkCount) throws ProtocolException {
        int bytes = (chunkCount + 7) / 8;
        if (in.remaining() != bytes) {
            throw ProtocolException.malformed("bitfield: " + in.remaining() + " bytes (expected: " + bytes + ")");
        }
        BitSet set = new BitSet(chunkCount);
        for (int b = 0; b < bytes; b++) {
            int v = in.get() & 0xff;
            for (int bit = 0; bit < 8 && v != 0; bit++) {
                if ((v & (0x80 >>> bit)) != 0) {
                    int index = b * 8 + bit;
                    if (index >= chunkCount) {
                        throw ProtocolException.malformed("bitfield: spare bit " + index + " set (expected: < "
                                + chunkCount + ")");
                    }
                    set.set(index);
                }
            }
        }
        return new Bitfield(set, chunkCount);
    }
}
