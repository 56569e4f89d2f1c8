package p2pstream.common.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static p2pstream.common.wire.Codec.assertRejected;
import static p2pstream.common.wire.MessageCodecTest.ID;
import static p2pstream.common.wire.MessageCodecTest.PEER;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Invalid field values: each is a ProtocolException with the code the peer will see in its ERROR frame. */
class InvalidMessageTest {
    static final Announce ANNOUNCE = new Announce(ID, "a", 0, Wire.MIN_CHUNK_BYTES, 0, 0);
    static final int KiB = 1024;

    /** A payload in which one field is patched at {@code offset}. */
    static byte[] patched(Message m, int offset, byte... bytes) throws ProtocolException {
        byte[] p = Codec.payloadBytes(m);
        System.arraycopy(bytes, 0, p, offset, bytes.length);
        return p;
    }

    static byte[] str(byte[] utf8) {
        return ByteBuffer.allocate(2 + utf8.length).putShort((short) utf8.length).put(utf8).array();
    }

    static byte[] announce(byte[] name, long size, int chunkSize, int count, int held) {
        return ByteBuffer.allocate(32 + name.length + 2 + 20).put(ID.bytes()).put(str(name))
                .putLong(size).putInt(chunkSize).putInt(count).putInt(held).array();
    }

    /** A bad name, as its UTF-8 bytes, and the code a decoder must answer it with. */
    record BadName(String what, byte[] utf8, ErrorCode code) {
        @Override
        public String toString() {
            return what;
        }
    }

    static List<BadName> badNames() {
        return List.of(
                new BadName("empty", new byte[0], ErrorCode.BAD_NAME),
                new BadName("NUL", "a\0b".getBytes(StandardCharsets.UTF_8), ErrorCode.MALFORMED),
                new BadName("newline", "a\nb".getBytes(StandardCharsets.UTF_8), ErrorCode.MALFORMED),
                new BadName("escape", "\u001b[31m".getBytes(StandardCharsets.UTF_8), ErrorCode.MALFORMED),
                new BadName("DEL", "a\u007f".getBytes(StandardCharsets.UTF_8), ErrorCode.MALFORMED),
                new BadName("C1 NEL", "a\u0085".getBytes(StandardCharsets.UTF_8), ErrorCode.MALFORMED),
                new BadName("byte 0xff", new byte[] {'a', (byte) 0xff}, ErrorCode.MALFORMED),
                new BadName("lone continuation", new byte[] {(byte) 0x80}, ErrorCode.MALFORMED),
                new BadName("overlong NUL", new byte[] {(byte) 0xc0, (byte) 0x80}, ErrorCode.MALFORMED),
                new BadName("cut multibyte", new byte[] {'a', (byte) 0xe2, (byte) 0x82}, ErrorCode.MALFORMED),
                new BadName("encoded surrogate", new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                        ErrorCode.MALFORMED),
                new BadName("absolute", "/etc/passwd".getBytes(StandardCharsets.UTF_8), ErrorCode.BAD_NAME),
                new BadName("backslash", "a\\b".getBytes(StandardCharsets.UTF_8), ErrorCode.BAD_NAME),
                new BadName("drive letter", "C:x".getBytes(StandardCharsets.UTF_8), ErrorCode.BAD_NAME),
                new BadName("dot-dot segment", "a/../../b".getBytes(StandardCharsets.UTF_8), ErrorCode.BAD_NAME),
                new BadName("dot-dot", "..".getBytes(StandardCharsets.UTF_8), ErrorCode.BAD_NAME),
                new BadName("dot segment", "./a".getBytes(StandardCharsets.UTF_8), ErrorCode.BAD_NAME),
                new BadName("empty segment", "a//b".getBytes(StandardCharsets.UTF_8), ErrorCode.BAD_NAME),
                new BadName("trailing slash", "a/".getBytes(StandardCharsets.UTF_8), ErrorCode.BAD_NAME),
                new BadName("1025 bytes", "x".repeat(Wire.MAX_NAME_BYTES + 1).getBytes(StandardCharsets.UTF_8),
                        ErrorCode.MALFORMED),
                new BadName("65535 bytes", "x".repeat(65535).getBytes(StandardCharsets.UTF_8), ErrorCode.MALFORMED));
    }

    /** Every message that carries a stream name, built around the given name bytes. */
    static Stream<Function<byte[], byte[]>> nameCarriers() {
        return Stream.of(
                n -> announce(n, 0, Wire.MIN_CHUNK_BYTES, 0, 0),
                n -> ByteBuffer.allocate(1 + n.length + 4).put((byte) 1).put(str(n)).putShort((short) 5).array(),
                n -> ByteBuffer.allocate(2 + 32 + n.length + 2 + 21).putShort((short) 1).put(ID.bytes()).put(str(n))
                        .putLong(5).putInt(Wire.MIN_CHUNK_BYTES).putInt(1).putInt(1).put((byte) 0).array(),
                n -> ByteBuffer.allocate(1 + 32 + n.length + 2 + 14).put((byte) 1).put(ID.bytes()).put(str(n))
                        .putLong(5).putInt(Wire.MIN_CHUNK_BYTES).putShort((short) 0).array());
    }

    static Message[] nameCarrierTypes() {
        return new Message[] {ANNOUNCE, Lookup.byName("a", 1), new Streams(List.of()), Peers.NOT_FOUND};
    }

    @ParameterizedTest
    @MethodSource("badNames")
    void rejectsBadNamesInEveryMessageThatCarriesOne(BadName bad) {
        List<Function<byte[], byte[]>> builders = nameCarriers().toList();
        Message[] types = nameCarrierTypes();
        for (int i = 0; i < builders.size(); i++) {
            assertRejected(bad.code(), types[i], builders.get(i).apply(bad.utf8()));
        }
    }

    @Test
    void acceptsANameOfExactlyTheLimit() throws ProtocolException {
        byte[] name = "é".repeat(Wire.MAX_NAME_BYTES / 2).getBytes(StandardCharsets.UTF_8);
        List<Function<byte[], byte[]>> builders = nameCarriers().toList();
        for (int i = 0; i < builders.size(); i++) {
            Codec.decode(nameCarrierTypes()[i], builders.get(i).apply(name));
        }
    }

    @Test
    void rejectsControlCharactersAndBadUtf8InListFilterButNotNameRules() throws ProtocolException {
        ListStreams like = new ListStreams("", 0);
        for (BadName bad : badNames()) {
            byte[] p = ByteBuffer.allocate(2 + bad.utf8().length + 2).put(str(bad.utf8())).putShort((short) 1).array();
            if (bad.code() == ErrorCode.BAD_NAME) { // a filter is a substring, not a name: "", "/" or ".." are fine
                String filter = new String(bad.utf8(), StandardCharsets.UTF_8);
                assertEquals(new ListStreams(filter, 1), ListStreams.decode(ByteBuffer.wrap(p)));
            } else {
                assertRejected(ErrorCode.MALFORMED, like, p);
            }
        }
    }

    @Test
    void rejectsHelloWithBadMagicVersionOrRole() throws ProtocolException {
        Hello hello = new Hello(Role.CLIENT, PEER, 1, null);
        assertRejected(ErrorCode.BAD_HELLO, hello, patched(hello, 0, (byte) 'H', (byte) 'T', (byte) 'T', (byte) 'P'));
        assertRejected(ErrorCode.BAD_HELLO, hello, patched(hello, 3, (byte) 'T'));
        for (int version : new int[] {0, 2, 255}) {
            assertRejected(ErrorCode.BAD_HELLO, hello, patched(hello, 4, (byte) version));
        }
        for (int role : new int[] {0, 4, 255}) {
            assertRejected(ErrorCode.BAD_HELLO, hello, patched(hello, 5, (byte) role));
        }
        assertRejected(ErrorCode.MALFORMED, hello, patched(hello, 24, (byte) 2)); // has-content flag
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, Wire.MIN_CHUNK_BYTES - 1, Wire.MAX_CHUNK_BYTES + 1, Integer.MAX_VALUE, -1})
    void rejectsChunkSizeOutOfRange(int chunkSize) {
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(new byte[] {'a'}, 0, chunkSize, 0, 0));
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(new byte[] {'a'}, -1, chunkSize, 0, 0));
    }

    @Test
    void rejectsChunkCountInconsistentWithSize() throws ProtocolException {
        byte[] a = {'a'};
        int chunk = 16 * KiB;
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(a, 1000, chunk, 0, 0));
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(a, 1000, chunk, 2, 0));
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(a, chunk, chunk, 2, 0));
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(a, chunk + 1, chunk, 1, 0));
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(a, 0, chunk, 1, 0));
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(a, -1, chunk, 1, 0));
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(a, -2, chunk, 0, 0));
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(a, Long.MIN_VALUE, chunk, 0, 0));
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(a, Long.MAX_VALUE, chunk, 0, 0));
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE,
                announce(a, Long.MAX_VALUE, Wire.MAX_CHUNK_BYTES, Integer.MAX_VALUE, 0));
        int tooMany = Wire.MAX_CHUNK_COUNT + 1;
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(a, (long) tooMany * chunk, chunk, tooMany, 0));
        // the boundaries that are fine
        Announce.decode(ByteBuffer.wrap(announce(a, chunk, chunk, 1, 1)));
        Announce.decode(ByteBuffer.wrap(announce(a, chunk + 1, chunk, 2, 0)));
    }

    @Test
    void rejectsHeldAboveChunkCount() {
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(new byte[] {'a'}, 1000, 16 * KiB, 1, 2));
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(new byte[] {'a'}, -1, 16 * KiB, 0, 1));
        assertRejected(ErrorCode.MALFORMED, ANNOUNCE, announce(new byte[] {'a'}, 1000, 16 * KiB, 1, -1));
    }

    @Test
    void rejectsBitfieldOfWrongLength() {
        Bitfield like = new Bitfield(new BitSet(), 10);
        assertRejected(ErrorCode.MALFORMED, like, new byte[1]);
        assertRejected(ErrorCode.MALFORMED, like, new byte[3]);
        assertRejected(ErrorCode.MALFORMED, new Bitfield(new BitSet(), 0), new byte[1]);
    }

    @Test
    void rejectsBitfieldWithSpareBitsSet() throws ProtocolException {
        Bitfield like = new Bitfield(new BitSet(), 10);
        for (int spare = 10; spare < 16; spare++) {
            byte[] p = new byte[2];
            p[1] = (byte) (0x80 >>> (spare - 8));
            assertRejected(ErrorCode.MALFORMED, like, p);
        }
        Bitfield all = Bitfield.decode(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xc0}), 10);
        assertEquals(10, all.chunks().cardinality());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 255})
    void rejectsUnknownLookupKind(int kind) {
        byte[] p = ByteBuffer.allocate(1 + 32 + 2).put((byte) kind).put(ID.bytes()).putShort((short) 1).array();
        assertRejected(ErrorCode.MALFORMED, Lookup.byName("a", 1), p);
    }

    static byte[] peers(int found, int count, int family, int complete) {
        ByteBuffer b = ByteBuffer.allocate(1 + 32 + 3 + 14 + count * (1 + 16 + 2 + 16 + 1))
                .put((byte) found).put(ID.bytes()).put(str(new byte[] {'p'}))
                .putLong(1).putInt(Wire.MIN_CHUNK_BYTES).putShort((short) count);
        for (int i = 0; i < count; i++) {
            b.put((byte) family).put(new byte[family == 16 ? 16 : 4]).putShort((short) i).putLong(i).putLong(i)
                    .put((byte) complete);
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void rejectsPeerCountAboveTheLimit() throws ProtocolException {
        assertEquals(Wire.MAX_PEERS_PER_LOOKUP,
                Peers.decode(ByteBuffer.wrap(peers(1, Wire.MAX_PEERS_PER_LOOKUP, 4, 1))).peers().size());
        assertRejected(ErrorCode.MALFORMED, Peers.NOT_FOUND, peers(1, Wire.MAX_PEERS_PER_LOOKUP + 1, 4, 1));
        byte[] huge = peers(1, 0, 4, 0);
        huge[huge.length - 2] = (byte) 0xff;
        huge[huge.length - 1] = (byte) 0xff;
        assertRejected(ErrorCode.MALFORMED, Peers.NOT_FOUND, huge);
    }

    @Test
    void acceptsBothPeerFlagsAndReadsThem() throws ProtocolException {
        Peers.Entry e = Peers.decode(ByteBuffer.wrap(peers(1, 1, 4, 3))).peers().get(0);
        assertEquals(true, e.complete());
        assertEquals(false, e.reachable());
    }

    @Test
    void rejectsBadReachAndDialFields() throws ProtocolException {
        Reach reach = new Reach(true, new InetSocketAddress(InetAddress.getLoopbackAddress(), 7));
        byte[] r = payloadBytes(reach);
        r[0] = 2;
        assertRejected(ErrorCode.MALFORMED, reach, r);
        Dial dial = new Dial(Dial.Mode.PUNCH, true, ID, new PeerId(1, 2),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 7), 10);
        for (int[] bad : new int[][] {{0, 0}, {0, 4}, {1, 0}, {1, 3}}) {
            byte[] d = payloadBytes(dial);
            d[bad[0]] = (byte) bad[1];
            assertRejected(ErrorCode.MALFORMED, dial, d);
        }
        byte[] late = payloadBytes(dial);
        late[late.length - 2] = (byte) 0xff; // a delay of 65 s: no punch is timed that far ahead
        assertRejected(ErrorCode.MALFORMED, dial, late);
        int at = 2 + ContentId.BYTES + PeerId.BYTES; // the address: family, 4 bytes of IPv4, port
        byte[] group = payloadBytes(dial);
        group[at + 1] = (byte) 224; // a tracker must not make a peer dial a multicast group
        assertRejected(ErrorCode.MALFORMED, dial, group);
        byte[] wildcard = payloadBytes(dial);
        Arrays.fill(wildcard, at + 1, at + 5, (byte) 0);
        assertRejected(ErrorCode.MALFORMED, dial, wildcard);
        byte[] noPort = payloadBytes(dial);
        noPort[at + 5] = 0;
        noPort[at + 6] = 0;
        assertRejected(ErrorCode.MALFORMED, dial, noPort);
        byte[] relayWithoutToken = payloadBytes(dial);
        relayWithoutToken[0] = 3; // a relay's DIAL must carry the circuit's token
        assertRejected(ErrorCode.MALFORMED, dial, relayWithoutToken);
        Join join = new Join(Token.random(), true);
        byte[] j = payloadBytes(join);
        j[Token.BYTES] = 0;
        assertRejected(ErrorCode.MALFORMED, join, j);
        assertRejected(ErrorCode.MALFORMED, new RelayOffer(1), new byte[2]);
        assertRejected(ErrorCode.MALFORMED, new Mapped(1), new byte[2]);
    }

    private static byte[] payloadBytes(Message m) throws ProtocolException {
        ByteBuffer payload = Codec.payload(m);
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        return bytes;
    }

    @Test
    void rejectsBadPeerFieldsAndFoundFlag() {
        assertRejected(ErrorCode.MALFORMED, Peers.NOT_FOUND, peers(2, 0, 4, 0));
        assertRejected(ErrorCode.MALFORMED, Peers.NOT_FOUND, peers(1, 1, 4, 8));
        assertRejected(ErrorCode.MALFORMED, Peers.NOT_FOUND, peers(1, 1, 4, 0x83));
        assertRejected(ErrorCode.MALFORMED, Peers.NOT_FOUND, peers(1, 1, 6, 0));
        assertRejected(ErrorCode.MALFORMED, Peers.NOT_FOUND, peers(1, 1, 0, 0));
    }

    @Test
    void rejectsStreamCountAboveTheLimit() {
        byte[] p = ByteBuffer.allocate(2).putShort((short) (Wire.MAX_STREAMS_PER_LIST + 1)).array();
        assertRejected(ErrorCode.MALFORMED, new Streams(List.of()), p);
    }

    @Test
    void rejectsOtherOutOfRangeFields() throws ProtocolException {
        assertRejected(ErrorCode.MALFORMED, IndexMessage.have(0), new byte[] {(byte) 0x80, 0, 0, 0});
        assertRejected(ErrorCode.MALFORMED, IndexMessage.request(0), new byte[] {(byte) 0xff, -1, -1, -1});
        Reject reject = new Reject(1, Reject.Reason.NOT_HELD);
        assertRejected(ErrorCode.MALFORMED, reject, patched(reject, 4, (byte) 0));
        assertRejected(ErrorCode.MALFORMED, reject, patched(reject, 4, (byte) 4));
        assertRejected(ErrorCode.MALFORMED, reject, patched(reject, 0, (byte) 0x80));
        Welcome welcome = new Welcome(1, MessageCodecTest.address(1, 127, 0, 0, 1));
        assertRejected(ErrorCode.MALFORMED, welcome, patched(welcome, 8, (byte) 6));
        assertRejected(ErrorCode.MALFORMED, welcome, patched(welcome, 8, (byte) 16));
        byte[] longError = ByteBuffer.allocate(2 + 2 + 1025).putShort((short) 1).put(str("e".repeat(1025).getBytes(
                StandardCharsets.UTF_8))).array();
        assertRejected(ErrorCode.MALFORMED, new ErrorMessage(1, ""), longError);
        assertRejected(ErrorCode.MALFORMED, EmptyMessage.PING, new byte[1]);
        assertRejected(ErrorCode.MALFORMED, new ManifestMessage(new byte[1]), new byte[0]);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x06, 0x0f, 0x2d, 0x3f, 0x2f, 0x7f, 0xff})
    void rejectsUnknownTypeBytes(int code) {
        assertRejected(ErrorCode.UNKNOWN_TYPE, () -> MessageType.of(code));
    }

    @Test
    void knowsEveryTypeByItsCode() throws ProtocolException {
        for (MessageType t : MessageType.values()) {
            assertEquals(t, MessageType.of(t.code()));
        }
        assertRejected(ErrorCode.UNKNOWN_TYPE, () -> MessageType.of(-1));
        assertRejected(ErrorCode.UNKNOWN_TYPE, () -> MessageType.of(256));
    }
}
