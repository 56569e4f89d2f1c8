package p2pstream.common.fuzz;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.Bitfield;
import p2pstream.common.wire.CircuitOrder;
import p2pstream.common.wire.ConnectPeer;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Dial;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.Join;
import p2pstream.common.wire.Mapped;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reach;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.RelayOffer;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Token;
import p2pstream.common.wire.Welcome;
import p2pstream.common.wire.Wire;
import p2pstream.common.wire.Withdraw;

/**
 * Valid values of every wire message and field, drawn from a {@link Draw}: the starting points the fuzz tests
 * damage, and the frames the connection fuzz tests send. Edge values (empty, longest, zero, largest) come often.
 * Stateless; any thread.
 */
public final class ValidMessages {
    /** Printable code points of every UTF-8 length, supplementary characters included. */
    private static final int[][] RANGES = {{0x20, 0x7e}, {0xa0, 0x24f}, {0x4e00, 0x4fff}, {0x1f300, 0x1f5ff}};

    private ValidMessages() {
    }

    /** Printable text of at most {@code maxUtf8Bytes}; long texts come from a forked draw. */
    public static String text(Draw draw, int maxUtf8Bytes, boolean allowEmpty) {
        int target = draw.oneIn(8) ? draw.between(0, maxUtf8Bytes) : draw.between(0, Math.min(12, maxUtf8Bytes));
        Draw chars = target > 12 ? draw.fork() : draw;
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        while (bytes < target) {
            int[] range = RANGES[chars.below(RANGES.length)];
            int cp = chars.between(range[0], range[1]);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > maxUtf8Bytes) {
                break;
            }
            sb.appendCodePoint(cp);
            bytes += n;
        }
        return sb.isEmpty() && !allowEmpty ? "n" : sb.toString();
    }

    /** A valid stream name (see {@link Wire#nameProblem}), sometimes with '/' between segments. */
    public static String name(Draw draw, int maxUtf8Bytes) {
        for (int attempt = 0; attempt < 8; attempt++) {
            String s = text(draw, maxUtf8Bytes, false);
            if (draw.oneIn(4) && s.length() > 2) {
                int at = draw.between(1, s.length() - 1);
                if (!Character.isSurrogate(s.charAt(at))) {
                    s = s.substring(0, at) + "/" + s.substring(at + 1);
                }
            }
            if (Wire.nameProblem(s) == null) {
                return s;
            }
        }
        return "n";
    }

    public static ContentId contentId(Draw draw) {
        return new ContentId(draw.anyLong(), draw.anyLong(), draw.anyLong(), draw.anyLong());
    }

    public static PeerId peerId(Draw draw) {
        return new PeerId(draw.anyLong(), draw.anyLong());
    }

    /**
     * An IPv4 or IPv6 address and any port; IPv6 ones are often mostly zeros (::, ::1, ::a.b.c.d) so damage reaches
     * the IPv4-mapped form, which is refused: Java turns it into IPv4.
     */
    /** An address a peer may be told to connect to: unicast, with a port. */
    public static InetSocketAddress dialAddress(Draw draw) {
        InetSocketAddress a = address(draw);
        return Wire.isUnicast(a.getAddress()) && a.getPort() != 0 ? a
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), a.getPort() == 0 ? 1 : a.getPort());
    }

    public static InetSocketAddress address(Draw draw) {
        byte[] ip = draw.bytes(draw.bool() ? 4 : 16);
        if (ip.length == 16) {
            if (draw.bool()) {
                Arrays.fill(ip, 0, draw.pick(12, 15, 16), (byte) 0);
            } else {
                ip[0] = 0x20;
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port(draw));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static int port(Draw draw) {
        return draw.oneIn(4) ? draw.pick(0, 1, 65535) : draw.between(0, 65535);
    }

    /** A uint31: small, the largest, or anything. */
    public static int u31(Draw draw) {
        return switch (draw.below(4)) {
            case 0 -> draw.between(0, 1000);
            case 1 -> draw.pick(0, 1, Integer.MAX_VALUE);
            default -> draw.between(0, Integer.MAX_VALUE);
        };
    }

    public static int u16(Draw draw) {
        return draw.oneIn(4) ? draw.pick(0, 1, 65535) : draw.between(0, 65535);
    }

    public static long anySize(Draw draw) {
        return draw.oneIn(4) ? draw.pick(0, 1, -1) : draw.anyLong();
    }

    public static int chunkSize(Draw draw) {
        return draw.oneIn(3) ? draw.pick(Wire.MIN_CHUNK_BYTES, Wire.DEFAULT_CHUNK_BYTES, Wire.MAX_CHUNK_BYTES)
                : draw.between(Wire.MIN_CHUNK_BYTES, Wire.MAX_CHUNK_BYTES);
    }

    public static Hello hello(Draw draw) {
        Role role = Role.values()[draw.below(Role.values().length)];
        boolean content = draw.bool();
        return new Hello(role, peerId(draw), port(draw), content ? contentId(draw) : null, content && draw.oneIn(3));
    }

    public static Welcome welcome(Draw draw) {
        return new Welcome(draw.anyLong(), address(draw));
    }

    public static ErrorMessage error(Draw draw) {
        return new ErrorMessage(u16(draw), text(draw, Wire.MAX_ERROR_MESSAGE_BYTES, true));
    }

    public static EmptyMessage empty(Draw draw) {
        return List.of(EmptyMessage.PING, EmptyMessage.PONG, EmptyMessage.HAVE_ALL).get(draw.below(3));
    }

    public static IndexMessage index(Draw draw) {
        MessageType type = List.of(MessageType.HAVE, MessageType.REQUEST, MessageType.CANCEL).get(draw.below(3));
        return new IndexMessage(type, u31(draw));
    }

    public static Reject reject(Draw draw) {
        return new Reject(u31(draw), Reject.Reason.values()[draw.below(Reject.Reason.values().length)]);
    }

    public static LiveEnd liveEnd(Draw draw) {
        return new LiveEnd(u31(draw), draw.anyLong(), draw.bytes(LiveChunkHeader.SIGNATURE_BYTES));
    }

    public static ManifestMessage manifestMessage(Draw draw) {
        return new ManifestMessage(draw.bytes(draw.oneIn(16) ? draw.between(1, 70_000) : draw.between(1, 200)));
    }

    /** A bitfield for a chunk count up to the protocol's largest. */
    public static Bitfield bitfield(Draw draw) {
        int count = draw.oneIn(8) ? draw.between(0, Wire.MAX_CHUNK_COUNT) : draw.between(0, 40);
        Draw bits = count > 40 ? draw.fork() : draw;
        int density = bits.between(0, 8);
        BitSet set = new BitSet(count);
        for (int i = 0; i < count; i++) {
            if (bits.below(8) < density) {
                set.set(i);
            }
        }
        return new Bitfield(set, count);
    }

    public static Announce announce(Draw draw) {
        int chunkSize = chunkSize(draw);
        String name = name(draw, Wire.MAX_NAME_BYTES);
        if (draw.oneIn(5)) {
            return new Announce(contentId(draw), name, -1, chunkSize, 0, 0);
        }
        long maxSize = (long) chunkSize * (draw.bool() ? 100 : Wire.MAX_CHUNK_COUNT);
        long size = draw.oneIn(4) ? draw.pick(0, 1) : Math.floorMod(draw.anyLong(), maxSize + 1);
        int count = (int) ((size + chunkSize - 1) / chunkSize);
        return new Announce(contentId(draw), name, size, chunkSize, count, draw.between(0, count));
    }

    public static Withdraw withdraw(Draw draw) {
        return new Withdraw(contentId(draw));
    }

    public static ListStreams list(Draw draw) {
        return new ListStreams(text(draw, Wire.MAX_NAME_BYTES, true), u16(draw));
    }

    public static Streams streams(Draw draw) {
        int count = draw.oneIn(16) ? draw.between(0, 200) : draw.between(0, 4);
        Draw entries = count > 4 ? draw.fork() : draw;
        List<Streams.Entry> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(new Streams.Entry(contentId(entries), name(entries, 200), anySize(entries), u31(entries),
                    u31(entries), u31(entries), entries.oneIn(3)));
        }
        return new Streams(list);
    }

    public static Lookup lookup(Draw draw) {
        return draw.bool() ? Lookup.byName(name(draw, Wire.MAX_NAME_BYTES), u16(draw))
                : Lookup.byContentId(contentId(draw), u16(draw));
    }

    public static Peers peers(Draw draw) {
        if (draw.oneIn(5)) {
            return Peers.NOT_FOUND;
        }
        int count = draw.oneIn(8) ? draw.between(0, Wire.MAX_PEERS_PER_LOOKUP) : draw.between(0, 4);
        Draw entries = count > 4 ? draw.fork() : draw;
        List<Peers.Entry> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(new Peers.Entry(address(entries), peerId(entries), entries.bool(), entries.bool(),
                    entries.bool()));
        }
        // a private stream's answer ends with the asker's grant: bytes PEERS carries as they are
        byte[] grant = draw.oneIn(3) ? draw.bytes(draw.oneIn(8) ? Wire.MAX_GRANT_BYTES : draw.between(1, 200)) : null;
        return new Peers(contentId(draw), name(draw, Wire.MAX_NAME_BYTES), anySize(draw), u31(draw), list, grant);
    }

    public static Reach reach(Draw draw) {
        return new Reach(draw.bool(), address(draw));
    }

    public static ConnectPeer connect(Draw draw) {
        return new ConnectPeer(contentId(draw), peerId(draw));
    }

    public static Dial dial(Draw draw) {
        Dial.Mode mode = Dial.Mode.values()[draw.between(0, 2)];
        return new Dial(mode, draw.bool(), contentId(draw), peerId(draw), dialAddress(draw),
                draw.between(0, Dial.MAX_DELAY_MILLIS), mode == Dial.Mode.RELAY ? token(draw) : null);
    }

    public static Token token(Draw draw) {
        byte[] b = new byte[Token.BYTES];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) draw.between(0, 255);
        }
        try {
            return Token.decode(ByteBuffer.wrap(b));
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    public static RelayOffer relayOffer(Draw draw) {
        return new RelayOffer(draw.between(1, 65_535));
    }

    public static CircuitOrder circuit(Draw draw) {
        return new CircuitOrder(token(draw), peerId(draw), peerId(draw));
    }

    public static Mapped mapped(Draw draw) {
        return new Mapped(draw.between(1, 65_535));
    }

    public static Join join(Draw draw) {
        return new Join(token(draw), draw.bool());
    }
}
