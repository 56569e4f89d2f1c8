package p2pstream.common.wire;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The tracker's answer to LOOKUP: the stream found (found=0 and nothing else when it knows none) and a
 * random sample of the peers holding it, never the asker. Thread-safe (immutable).
 *
 * <pre>PEERS: &lt;len&gt;&lt;type=0x15&gt;&lt;found:u8&gt;[&lt;content id:32&gt;&lt;name:str&gt;&lt;size:i64&gt;
 *        &lt;chunk size:u32&gt;&lt;count:u16&gt;{&lt;address&gt;&lt;peer id:16&gt;&lt;flags:u8&gt;}*count
 *        [&lt;grant length:u16&gt;&lt;grant&gt;]]</pre>
 * where {@code <address>} is {@code <family:u8 4|16><ip><port:u16>} and {@code flags} bit 0 is "holds the whole
 * stream", bit 1 "the tracker could not dial it back" (behind a NAT: ask the tracker to CONNECT), bit 2 "reached
 * through a port its router maps for it" (dialed like any other); other bits 0.
 * For a private stream the entries are followed by the asker's grant (1..{@link Wire#MAX_GRANT_BYTES} bytes, as its
 * owner signed it; the receiver decodes and checks it with p2pstream.common.access.Grant); for a public one nothing
 * follows them.
 */
public record Peers(ContentId contentId, String name, long size, int chunkSize, List<Entry> peers, byte[] grant)
        implements Message {
    public static final Peers NOT_FOUND = new Peers(null, null, 0, 0, List.of());

    /**
     * One peer: where it serves, who it is, whether it holds the whole stream, and whether the tracker reached it
     * there (false: it is behind a NAT that lets nobody in, so a connection needs the tracker's help).
     */
    public record Entry(InetSocketAddress address, PeerId peerId, boolean complete, boolean reachable,
                        boolean mapped) {
        private static final int COMPLETE = 1;
        private static final int UNREACHABLE = 2;
        private static final int MAPPED = 4;

        /** A peer the tracker has not found unreachable. */
        public Entry(InetSocketAddress address, PeerId peerId, boolean complete) {
            this(address, peerId, complete, true, false);
        }

        public Entry(InetSocketAddress address, PeerId peerId, boolean complete, boolean reachable) {
            this(address, peerId, complete, reachable, false);
        }

        int flags() {
            return (complete ? COMPLETE : 0) | (reachable ? 0 : UNREACHABLE) | (mapped ? MAPPED : 0);
        }

        int bytes() {
            return Wire.addressBytes(address) + PeerId.BYTES + 1;
        }
    }

    public Peers {
        peers = List.copyOf(peers);
        grant = checkedGrant(grant);
    }

    /** A public stream's answer: no grant. */
    public Peers(ContentId contentId, String name, long size, int chunkSize, List<Entry> peers) {
        this(contentId, name, size, chunkSize, peers, null);
    }

    /** The asker's grant for a private stream, as encoded; null for a public stream. */
    @Override
    public byte[] grant() {
        return grant == null ? null : grant.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Peers p && Objects.equals(contentId, p.contentId) && Objects.equals(name, p.name)
                && size == p.size && chunkSize == p.chunkSize && peers.equals(p.peers)
                && Arrays.equals(grant, p.grant);
    }

    @Override
    public int hashCode() {
        return Objects.hash(contentId, name, size, chunkSize, peers) * 31 + Arrays.hashCode(grant);
    }

    private static byte[] checkedGrant(byte[] grant) {
        if (grant != null && (grant.length == 0 || grant.length > Wire.MAX_GRANT_BYTES)) {
            throw new IllegalArgumentException("grant: " + grant.length + " bytes (expected: 1.."
                    + Wire.MAX_GRANT_BYTES + ")");
        }
        return grant == null ? null : grant.clone();
    }

    private static int grantBytes(byte[] grant) {
        return grant == null ? 0 : 2 + grant.length;
    }

    private static void putGrant(ByteBuffer out, byte[] grant) {
        if (grant != null) {
            out.putShort((short) grant.length).put(grant);
        }
    }

    public boolean found() {
        return contentId != null;
    }

    @Override
    public MessageType type() {
        return MessageType.PEERS;
    }

    @Override
    public int payloadLength() {
        if (!found()) {
            return 1;
        }
        int n = 1 + ContentId.BYTES + Wire.stringBytes(name) + 8 + 4 + 2;
        for (Entry e : peers) {
            n += e.bytes();
        }
        return n + grantBytes(grant);
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.put((byte) (found() ? 1 : 0));
        if (!found()) {
            return;
        }
        putHeader(out, contentId, name, size, chunkSize, peers.size());
        for (Entry e : peers) {
            putEntry(out, e);
        }
        putGrant(out, grant);
    }

    /** One entry as PEERS carries it, for a sender that keeps its entries encoded (see {@link #ofEncoded}). */
    public static byte[] encodeEntry(Entry e) {
        ByteBuffer b = ByteBuffer.allocate(e.bytes());
        putEntry(b, e);
        return b.array();
    }

    /**
     * A found PEERS whose entries were made by {@link #encodeEntry}: the same bytes as {@code new Peers(...)} with
     * those entries, without encoding an address per answer (a tracker answers the same holders many times).
     */
    public static Message ofEncoded(ContentId contentId, String name, long size, int chunkSize, byte[][] entries) {
        return ofEncoded(contentId, name, size, chunkSize, entries, null);
    }

    /** The same, for a private stream: {@code grant} (the asker's, encoded; null for none) follows the entries. */
    public static Message ofEncoded(ContentId contentId, String name, long size, int chunkSize, byte[][] entries,
                                    byte[] grant) {
        if (entries.length > Wire.MAX_PEERS_PER_LOOKUP) {
            throw new IllegalArgumentException("peers: " + entries.length + " (expected: <= "
                    + Wire.MAX_PEERS_PER_LOOKUP + ")");
        }
        return new Encoded(contentId, name, size, chunkSize, entries, checkedGrant(grant));
    }

    private record Encoded(ContentId contentId, String name, long size, int chunkSize, byte[][] entries,
                           byte[] grant) implements Message {
        @Override
        public MessageType type() {
            return MessageType.PEERS;
        }

        @Override
        public int payloadLength() {
            int n = 1 + ContentId.BYTES + Wire.stringBytes(name) + 8 + 4 + 2;
            for (byte[] e : entries) {
                n += e.length;
            }
            return n + grantBytes(grant);
        }

        @Override
        public void encodePayload(ByteBuffer out) {
            out.put((byte) 1);
            putHeader(out, contentId, name, size, chunkSize, entries.length);
            for (byte[] e : entries) {
                out.put(e);
            }
            putGrant(out, grant);
        }
    }

    private static void putHeader(ByteBuffer out, ContentId contentId, String name, long size, int chunkSize,
                                  int count) {
        contentId.encode(out);
        Wire.putString(out, name);
        out.putLong(size).putInt(chunkSize).putShort((short) count);
    }

    private static void putEntry(ByteBuffer out, Entry e) {
        Wire.putAddress(out, e.address());
        e.peerId().encode(out);
        out.put((byte) e.flags());
    }

    public static Peers decode(ByteBuffer in) throws ProtocolException {
        int found = Wire.getU8(in, "found");
        if (found == 0) {
            Wire.end(in, MessageType.PEERS);
            return NOT_FOUND;
        }
        if (found != 1) {
            throw ProtocolException.malformed("found: " + found + " (expected: 0 or 1)");
        }
        ContentId id = ContentId.decode(in);
        String name = Wire.getName(in, "name");
        long size = Wire.getI64(in, "size");
        int chunkSize = Wire.getU31(in, "chunk size");
        int count = Wire.getU16(in, "peer count");
        if (count > Wire.MAX_PEERS_PER_LOOKUP) {
            throw ProtocolException.malformed("peer count: " + count + " (expected: <= "
                    + Wire.MAX_PEERS_PER_LOOKUP + ")");
        }
        List<Entry> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            InetSocketAddress address = Wire.getAddress(in, "peer address");
            PeerId peerId = PeerId.decode(in);
            int flags = Wire.getU8(in, "flags");
            if ((flags & ~(Entry.COMPLETE | Entry.UNREACHABLE | Entry.MAPPED)) != 0) {
                throw ProtocolException.malformed("flags: " + flags + " (expected: bits 0 to 2 only)");
            }
            list.add(new Entry(address, peerId, (flags & Entry.COMPLETE) != 0, (flags & Entry.UNREACHABLE) == 0,
                    (flags & Entry.MAPPED) != 0));
        }
        byte[] grant = null;
        if (in.hasRemaining()) {
            int length = Wire.getU16(in, "grant length");
            if (length < 1 || length > Wire.MAX_GRANT_BYTES) {
                throw ProtocolException.malformed("grant length: " + length + " (expected: 1.."
                        + Wire.MAX_GRANT_BYTES + ")");
            }
            Wire.need(in, length, "grant");
            grant = new byte[length];
            in.get(grant);
        }
        Wire.end(in, MessageType.PEERS);
        return new Peers(id, name, size, chunkSize, list, grant);
    }
}
