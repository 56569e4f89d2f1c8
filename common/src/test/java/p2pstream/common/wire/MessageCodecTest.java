package p2pstream.common.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.wire.Codec.assertRejected;
import static p2pstream.common.wire.Codec.assertSameMessage;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import p2pstream.common.net.FrameDecoder;

/** Every message record: a correct round trip, every truncation rejected, trailing bytes rejected. */
class MessageCodecTest {
    static final ContentId ID = ContentId.parse("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    static final PeerId PEER = new PeerId(0x0123456789abcdefL, -2L);

    static InetSocketAddress address(int port, int... ip) {
        byte[] b = new byte[ip.length];
        for (int i = 0; i < ip.length; i++) {
            b[i] = (byte) ip[i];
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(b), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static BitSet bits(int... set) {
        BitSet b = new BitSet();
        IntStream.of(set).forEach(b::set);
        return b;
    }

    static List<Message> samples() {
        InetSocketAddress v4 = address(6881, 192, 168, 1, 20);
        InetSocketAddress v6 = address(65535, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        return List.of(
                new Hello(Role.CLIENT, PEER, 6881, ID),
                new Hello(Role.TRACKER, new PeerId(0, 0), 0, null),
                new Hello(Role.SERVER, PEER, 65535, null),
                new Welcome(42, v4),
                new Welcome(Long.MIN_VALUE, v6),
                new ErrorMessage(ErrorCode.BAD_HELLO.code(), "magic: 0x0 (expected: P2PS)"),
                new ErrorMessage(65535, ""),
                EmptyMessage.PING, EmptyMessage.PONG, EmptyMessage.HAVE_ALL,
                IndexMessage.have(0), IndexMessage.request(Integer.MAX_VALUE), IndexMessage.cancel(77),
                new Reject(3, Reject.Reason.NOT_HELD),
                new Reject(0, Reject.Reason.OVERLOADED),
                new Reject(Integer.MAX_VALUE, Reject.Reason.UNAVAILABLE),
                new ManifestMessage(new byte[] {1, 2, 3, (byte) 0xff}),
                new Bitfield(bits(0, 9), 10),
                new Bitfield(bits(), 0),
                new Bitfield(bits(IntStream.range(0, 16).toArray()), 16),
                new Announce(ID, "movies/big buck bunny.mp4", 10_000_000, 256 * 1024, 39, 12),
                new Announce(ID, "x", 0, Wire.MIN_CHUNK_BYTES, 0, 0),
                new Announce(ID, "live/cam 1", -1, 64 * 1024, 0, 0),
                new Announce(ID, "n".repeat(Wire.MAX_NAME_BYTES), (long) Wire.MAX_CHUNK_BYTES * Wire.MAX_CHUNK_COUNT,
                        Wire.MAX_CHUNK_BYTES, Wire.MAX_CHUNK_COUNT, Wire.MAX_CHUNK_COUNT),
                new Withdraw(ID),
                new ListStreams("", 0),
                new ListStreams("bunny é", 65535),
                new Streams(List.of()),
                new Streams(List.of(new Streams.Entry(ID, "a/b.mkv", 123_456_789, 256 * 1024, 5, 2),
                        new Streams.Entry(ID, "ünïcödé 名前 🎬", -1, 16 * 1024, 0, 0))),
                Lookup.byName("ünïcödé 名前 🎬", 50),
                Lookup.byContentId(ID, Wire.MAX_PEERS_PER_LOOKUP),
                Peers.NOT_FOUND,
                new Peers(ID, "a/b.mkv", 1000, 16 * 1024, List.of()),
                new Peers(ID, "a/b.mkv", 1000, 16 * 1024,
                        List.of(new Peers.Entry(v4, PEER, true), new Peers.Entry(v6, new PeerId(1, 2), false),
                                new Peers.Entry(v4, PEER, true, false), new Peers.Entry(v6, PEER, false, false))),
                new Reach(true, v4),
                new Reach(false, v6),
                new ConnectPeer(ID, PEER),
                new ConnectPeer(ID, PEER, true),
                new Dial(Dial.Mode.REVERSAL, false, ID, PEER, v4, 0),
                new Dial(Dial.Mode.PUNCH, true, ID, new PeerId(1, 2), v6, Dial.MAX_DELAY_MILLIS),
                new Dial(Dial.Mode.RELAY, false, ID, PEER, v4, 12, Token.random()),
                new RelayOffer(65_535),
                new Mapped(1),
                new Peers(ID, "a/b.mkv", 1000, 16 * 1024, List.of(new Peers.Entry(v4, PEER, true, true, true))),
                new CircuitOrder(Token.random(), PEER, new PeerId(1, 2)),
                new Join(Token.random(), false));
    }

    static Stream<Message> truncatable() {
        // MANIFEST takes any non-empty byte string, empty messages have nothing to cut
        return samples().stream().filter(m -> !(m instanceof ManifestMessage) && !(m instanceof EmptyMessage));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void roundTripsThroughFrameEncoderAndDecoder(Message m) throws ProtocolException {
        assertSameMessage(m, Codec.roundTrip(m));
    }

    @ParameterizedTest
    @MethodSource("truncatable")
    void rejectsEveryTruncationAsMalformed(Message m) throws ProtocolException {
        byte[] payload = Codec.payloadBytes(m);
        for (int cut = 0; cut < payload.length; cut++) {
            assertRejected(ErrorCode.MALFORMED, m, Arrays.copyOf(payload, cut));
        }
    }

    @ParameterizedTest
    @MethodSource("truncatable")
    void rejectsTrailingBytesAsMalformed(Message m) throws ProtocolException {
        byte[] payload = Codec.payloadBytes(m);
        assertRejected(ErrorCode.MALFORMED, m, Codec.concat(payload, new byte[] {0}));
        assertRejected(ErrorCode.MALFORMED, m, Codec.concat(payload, new byte[] {1, 2, 3, 4}));
    }

    @Test
    void encodesTheDocumentedHelloLayout() throws ProtocolException {
        byte[] p = Codec.payloadBytes(new Hello(Role.CLIENT, new PeerId(1, 2), 0x1ae1, ID));
        ByteBuffer b = ByteBuffer.wrap(p);
        assertEquals(Wire.MAGIC, b.getInt());
        assertEquals(Wire.VERSION, b.get());
        assertEquals(Role.CLIENT.code(), b.get());
        assertEquals(1, b.getLong());
        assertEquals(2, b.getLong());
        assertEquals(0x1ae1, b.getShort());
        assertEquals(1, b.get());
        assertEquals(ID, ContentId.decode(b));
        assertFalse(b.hasRemaining());
    }

    @Test
    void encodesIndexMessagesAsFiveByteFrames() {
        ByteBuffer frame = Frames.encode(IndexMessage.request(0x01020304));
        assertArrayEquals(new byte[] {0, 0, 0, 5, 0x24, 1, 2, 3, 4}, Arrays.copyOf(frame.array(), frame.limit()));
    }

    @Test
    void encodesBitfieldMostSignificantBitFirst() throws ProtocolException {
        assertArrayEquals(new byte[] {(byte) 0x80, 0x40}, Codec.payloadBytes(new Bitfield(bits(0, 9), 10)));
        // bits at or beyond the chunk count are not sent
        assertArrayEquals(new byte[] {0x01}, Codec.payloadBytes(new Bitfield(bits(7, 8, 12), 8)));
    }

    @Test
    void decodesNotFoundPeersAsTheNotFoundConstant() throws ProtocolException {
        Peers p = (Peers) Codec.roundTrip(Peers.NOT_FOUND);
        assertFalse(p.found());
        assertTrue(p.peers().isEmpty());
        assertEquals(1, Codec.payloadBytes(Peers.NOT_FOUND).length);
    }

    @Test
    void keepsAnnounceCompletenessAcrossTheWire() throws ProtocolException {
        assertTrue(((Announce) Codec.roundTrip(new Announce(ID, "f", 100_000, 16 * 1024, 7, 7))).complete());
        assertFalse(((Announce) Codec.roundTrip(new Announce(ID, "f", 100_000, 16 * 1024, 7, 6))).complete());
        assertFalse(((Announce) Codec.roundTrip(new Announce(ID, "live", -1, 16 * 1024, 0, 0))).complete());
    }

    @Test
    void decodesChunkFramesHeaderThenBody() throws ProtocolException {
        byte[] body = new byte[20_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        ByteBuffer header = ChunkHeader.encode(123_456, body.length);
        assertEquals(ChunkHeader.BYTES, header.remaining());
        ByteBuffer frame = ByteBuffer.allocate(header.remaining() + body.length).put(header).put(body).flip();

        FrameDecoder decoder = new FrameDecoder(Wire.MAX_PEER_FRAME_BYTES);
        ByteBuffer payload = decoder.next(frame);
        assertNotNull(payload);
        assertEquals(MessageType.CHUNK.code(), decoder.type());
        assertEquals(123_456, ChunkHeader.decodeIndex(payload));
        byte[] got = new byte[payload.remaining()];
        payload.get(got);
        assertArrayEquals(body, got);
        assertFalse(frame.hasRemaining());
    }

    @Test
    void rejectsTruncatedOrNegativeChunkIndex() {
        for (int cut = 0; cut < 4; cut++) {
            ByteBuffer p = ByteBuffer.wrap(new byte[cut]);
            assertRejected(ErrorCode.MALFORMED, () -> ChunkHeader.decodeIndex(p));
        }
        assertRejected(ErrorCode.MALFORMED,
                () -> ChunkHeader.decodeIndex(ByteBuffer.wrap(new byte[] {(byte) 0x80, 0, 0, 0})));
    }

    @Test
    void encodesAnEmptyChunkFrame() throws ProtocolException {
        ByteBuffer frame = ChunkHeader.encode(0, 0);
        ByteBuffer payload = new FrameDecoder(Wire.MAX_CONTROL_FRAME_BYTES).next(frame);
        assertNotNull(payload);
        assertEquals(0, ChunkHeader.decodeIndex(payload));
        assertFalse(payload.hasRemaining());
        assertNull(new FrameDecoder(Wire.MAX_CONTROL_FRAME_BYTES).next(ByteBuffer.allocate(0)));
    }
}
