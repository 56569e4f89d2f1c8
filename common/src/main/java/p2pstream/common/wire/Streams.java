package p2pstream.common.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The tracker's answer to LIST. Thread-safe (immutable).
 *
 * <pre>STREAMS: &lt;len&gt;&lt;type=0x13&gt;&lt;count:u16&gt;{&lt;content id:32&gt;&lt;name:str&gt;&lt;size:i64&gt;
 *          &lt;chunk size:u32&gt;&lt;peers:u32&gt;&lt;seeds:u32&gt;&lt;flags:u8&gt;}*count</pre>
 * flags: bit 0 private (shown only to a holder of a grant for it); the other bits are 0, else MALFORMED.
 */
public record Streams(List<Entry> streams) implements Message {

    /** One stream: how many peers hold any of it, and how many hold all of it; whether it is private. */
    public record Entry(ContentId contentId, String name, long size, int chunkSize, int peers, int seeds,
                        boolean isPrivate) {
        /** A public stream. */
        public Entry(ContentId contentId, String name, long size, int chunkSize, int peers, int seeds) {
            this(contentId, name, size, chunkSize, peers, seeds, false);
        }

        int bytes() {
            return ContentId.BYTES + Wire.stringBytes(name) + 8 + 4 + 4 + 4 + 1;
        }
    }

    private static final int PRIVATE = 1;

    public Streams {
        streams = List.copyOf(streams);
    }

    /** Bytes one entry adds to the payload; the tracker stops adding before the frame limit. */
    public static int entryBytes(Entry e) {
        return e.bytes();
    }

    @Override
    public MessageType type() {
        return MessageType.STREAMS;
    }

    @Override
    public int payloadLength() {
        int n = 2;
        for (Entry e : streams) {
            n += e.bytes();
        }
        return n;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.putShort((short) streams.size());
        for (Entry e : streams) {
            e.contentId().encode(out);
            Wire.putString(out, e.name());
            out.putLong(e.size()).putInt(e.chunkSize()).putInt(e.peers()).putInt(e.seeds())
                    .put((byte) (e.isPrivate() ? PRIVATE : 0));
        }
    }

    public static Streams decode(ByteBuffer in) throws ProtocolException {
        int count = Wire.getU16(in, "stream count");
        if (count > Wire.MAX_STREAMS_PER_LIST) {
            throw ProtocolException.malformed("stream count: " + count + " (expected: <= "
                    + Wire.MAX_STREAMS_PER_LIST + ")");
        }
        List<Entry> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ContentId id = ContentId.decode(in);
            String name = Wire.getName(in, "name");
            long size = Wire.getI64(in, "size");
            int chunkSize = Wire.getU31(in, "chunk size");
            int peers = Wire.getU31(in, "peers");
            int seeds = Wire.getU31(in, "seeds");
            int flags = Wire.getU8(in, "flags");
            if ((flags & ~PRIVATE) != 0) {
                throw ProtocolException.malformed("flags: 0x" + Integer.toHexString(flags) + " (expected: bit 0 only)");
            }
            list.add(new Entry(id, name, size, chunkSize, peers, seeds, flags == PRIVATE));
        }
        Wire.end(in, MessageType.STREAMS);
        return new Streams(list);
    }
}
