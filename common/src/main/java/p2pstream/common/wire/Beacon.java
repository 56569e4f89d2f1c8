package p2pstream.common.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The LAN beacon's datagrams (PROTOCOL.md section 12): a peer's query, sent to {@link #GROUP} port {@link #PORT},
 * and a tracker's answer, sent back to the query's source. Both are whole UDP payloads with a fixed layout, decoded
 * only whole; an answer is never larger than the query it answers ({@link #QUERY_BYTES}), so a tracker cannot be
 * made to send more than it receives. Stateless; any thread.
 *
 * <pre>
 * query:  &lt;magic:u32 "P2PB"&gt;&lt;version:u8=1&gt;&lt;kind:u8=1&gt;&lt;nonce:i64&gt;&lt;zero:50&gt;      64 bytes
 * answer: &lt;magic:u32 "P2PB"&gt;&lt;version:u8=1&gt;&lt;kind:u8=2&gt;&lt;nonce:i64&gt;&lt;tracker peer id:16&gt;
 *         &lt;port:u16 1..65535&gt;&lt;family:u8 0|4|16&gt;&lt;address:0|4|16&gt;         33, 37 or 49 bytes
 * </pre>
 * Family 0: the tracker listens on every address; connect to the one the answer came from.
 */
public final class Beacon {
    /** "P2PB": not the frames' "P2PS", so a beacon datagram is never taken for a frame, nor the other way. */
    public static final int MAGIC = 0x50325042;
    public static final int VERSION = 1;
    public static final int QUERY = 1;
    public static final int ANSWER = 2;
    /** The IPv4 group, in the IPv4 Local Scope 239.255.0.0/16 (RFC 2365): it never leaves the site. */
    public static final String GROUP = "239.255.20.45";
    /** UDP port: the tracker's TCP port number, on its own group (BEP 14's 239.192.152.143:6771 is not ours). */
    public static final int PORT = 2045;
    /** Every query is exactly this long: room for what a later version asks, and the bound on any answer. */
    public static final int QUERY_BYTES = 64;
    static final int HEAD_BYTES = 4 + 1 + 1 + 8;
    /** The longest answer: an IPv6 address. */
    public static final int MAX_ANSWER_BYTES = HEAD_BYTES + PeerId.BYTES + 2 + 1 + 16;

    private Beacon() {
    }

    /** A peer's question "which trackers are here?"; {@code nonce} pairs it with its answers. */
    public record Query(long nonce) {
        public ByteBuffer encode() {
            ByteBuffer out = ByteBuffer.allocate(QUERY_BYTES);
            head(out, QUERY, nonce);
            return out.position(QUERY_BYTES).flip();
        }
    }

    /**
     * A tracker's answer: its id (what its handshake must prove), and where it listens: {@code address} null means
     * every address of its host, so the source of the datagram.
     */
    public record Answer(long nonce, PeerId trackerId, InetAddress address, int port) {
        public Answer {
            Wire.checkPort(port);
            if (address != null && !Wire.isUnicast(address)) {
                throw new IllegalArgumentException("address: " + address.getHostAddress()
                        + " (expected: a unicast address, or null for the sender's)");
            }
        }

        public ByteBuffer encode() {
            byte[] ip = address == null ? new byte[0] : address.getAddress();
            ByteBuffer out = ByteBuffer.allocate(HEAD_BYTES + PeerId.BYTES + 3 + ip.length);
            head(out, ANSWER, nonce);
            trackerId.encode(out);
            out.putShort((short) port).put((byte) ip.length).put(ip);
            return out.flip();
        }

        /** Where to connect: the address named, else {@code from}'s address (the datagram's source). */
        public InetSocketAddress tracker(InetSocketAddress from) {
            return new InetSocketAddress(address != null ? address : from.getAddress(), port);
        }
    }

    /** Decodes a whole datagram as a query. */
    public static Query decodeQuery(ByteBuffer in) throws ProtocolException {
        if (in.remaining() != QUERY_BYTES) {
            throw ProtocolException.malformed("beacon query: " + in.remaining() + " bytes (expected: "
                    + QUERY_BYTES + ")");
        }
        long nonce = head(in, QUERY);
        while (in.hasRemaining()) {
            if (in.get() != 0) {
                throw ProtocolException.malformed("beacon query: a padding byte not zero at " + (in.position() - 1)
                        + " (expected: zero)");
            }
        }
        return new Query(nonce);
    }

    /** Decodes a whole datagram as an answer. */
    public static Answer decodeAnswer(ByteBuffer in) throws ProtocolException {
        if (in.remaining() > MAX_ANSWER_BYTES) {
            throw ProtocolException.malformed("beacon answer: " + in.remaining() + " bytes (expected: at most "
                    + MAX_ANSWER_BYTES + ")");
        }
        long nonce = head(in, ANSWER);
        PeerId id = PeerId.decode(in);
        int port = Wire.getU16(in, "beacon answer port");
        int family = Wire.getU8(in, "beacon answer family");
        if (port == 0 || family != 0 && family != 4 && family != 16) {
            throw ProtocolException.malformed("beacon answer: port " + port + ", family " + family
                    + " (expected: port 1..65535, family 0, 4 or 16)");
        }
        Wire.need(in, family, "beacon answer address");
        byte[] ip = new byte[family];
        in.get(ip);
        if (in.hasRemaining()) {
            throw ProtocolException.malformed("beacon answer: " + in.remaining() + " bytes after it");
        }
        InetAddress address = null;
        if (family != 0) {
            try {
                address = InetAddress.getByAddress(ip);
            } catch (UnknownHostException e) {
                throw ProtocolException.malformed("beacon answer address: " + e.getMessage());
            }
            // an IPv4-mapped IPv6 address has family 4: one address, one encoding
            if ((address.getAddress().length) != family || !Wire.isUnicast(address)) {
                throw ProtocolException.malformed("beacon answer address: " + address.getHostAddress()
                        + " (expected: a unicast address in its own family)");
            }
        }
        return new Answer(nonce, id, address, port);
    }

    private static void head(ByteBuffer out, int kind, long nonce) {
        out.putInt(MAGIC).put((byte) VERSION).put((byte) kind).putLong(nonce);
    }

    private static long head(ByteBuffer in, int kind) throws ProtocolException {
        Wire.need(in, HEAD_BYTES, "beacon head");
        int magic = in.getInt();
        int version = in.get() & 0xff;
        int got = in.get() & 0xff;
        if (magic != MAGIC || version != VERSION || got != kind) {
            throw ProtocolException.malformed(String.format("beacon: magic 0x%08x, version %d, kind %d (expected: "
                    + "0x%08x, %d, %d)", magic, version, got, MAGIC, VERSION, kind));
        }
        return in.getLong();
    }
}
