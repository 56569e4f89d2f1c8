package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static p2pstream.common.wire.ErrorCode.BAD_HELLO;
import static p2pstream.common.wire.ErrorCode.BAD_NAME;
import static p2pstream.common.wire.ErrorCode.FRAME_TOO_LARGE;
import static p2pstream.common.wire.ErrorCode.MALFORMED;
import static p2pstream.common.wire.ErrorCode.OUT_OF_RANGE;
import static p2pstream.common.wire.ErrorCode.RATE_LIMITED;
import static p2pstream.common.wire.ErrorCode.TIMEOUT;
import static p2pstream.common.wire.ErrorCode.UNEXPECTED;
import static p2pstream.common.wire.ErrorCode.UNKNOWN_TYPE;
import static p2pstream.tracker.RawClient.await;
import static p2pstream.tracker.RawClient.encoded;
import static p2pstream.tracker.RawClient.frame;
import static p2pstream.tracker.RawClient.payload;
import static p2pstream.tracker.RawClient.u32;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Welcome;
import p2pstream.common.wire.Withdraw;
import p2pstream.common.wire.Wire;

/**
 * Adversarial input against a real tracker over loopback: every malformed, oversized, unknown or out-of-order
 * frame gets an ERROR with the right code and a closed connection, and nothing else is disturbed: good
 * sessions keep working, connections and registry entries do not leak.
 */
class TrackerBadInputTest {
    private static final int CHUNK = 256 * 1024;
    private static final long SIZE = 4L * CHUNK;
    private static final ContentId ID = new ContentId(0x1111, 0x2222, 0x3333, 0x4444);
    private static final ContentId OTHER_ID = new ContentId(-1, -2, -3, -4);
    /** Announced by the bad-input cases that announce something valid first; never conflicts with ID. */
    private static final ContentId CASE_ID = new ContentId(5, 6, 7, 8);
    private static final int LISTEN_PORT = 4000;
    /** The codes a tracker may answer bad input with; INTERNAL would mean an unhandled exception. */
    private static final Set<ErrorCode> INPUT_ERRORS = EnumSet.of(MALFORMED, FRAME_TOO_LARGE, UNKNOWN_TYPE,
            BAD_HELLO, UNEXPECTED, BAD_NAME, OUT_OF_RANGE);

    private Tracker tracker;

    @BeforeEach
    void start() throws IOException {
        tracker = Tracker.start(Tracker.Config.loopback());
    }

    @AfterEach
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
    }

    /** A bad input sent on a fresh connection, and the checks of how the tracker answers it. */
    interface Case {
        void run(RawClient c) throws Exception;
    }

    private static Announce announce(ContentId id, String name) {
        return new Announce(id, name, SIZE, CHUNK, 4, 4);
    }

    private static Hello hello(int port) {
        return new Hello(Role.CLIENT, PeerId.random(), port, null);
    }

    /** A HELLO payload with one byte replaced. */
    private static byte[] helloWith(int offset, int value) {
        byte[] p = payload(hello(LISTEN_PORT));
        p[offset] = (byte) value;
        return p;
    }

    /** An ANNOUNCE payload with raw name bytes (any length field, any bytes). */
    private static byte[] announceWithRawName(int lengthField, byte[] name) {
        ByteBuffer b = ByteBuffer.allocate(32 + 2 + name.length + 8 + 4 + 4 + 4);
        ID.encode(b);
        b.putShort((short) lengthField).put(name);
        b.putLong(SIZE).putInt(CHUNK).putInt(4).putInt(4);
        return b.array();
    }

    private static byte[] cut(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }

    private static byte[] plus(byte[] bytes, int extra) {
        return Arrays.copyOf(bytes, bytes.length + extra);
    }

    private static void add(List<Arguments> list, String behaviour, Case c) {
        list.add(Arguments.of(Named.of(behaviour, c)));
    }

    static final List<String> PATH_TRICK_NAMES = List.of("../../etc/passwd", "/etc/passwd", "a/../../b", "a//b",
            "..", ".", "", "a/", "./a", "a\\b", "C:/windows", "a/./b");
    static final List<String> CONTROL_CHARACTER_NAMES = List.of("a\u0001b", "evil\nname", "tab\there", "del\u007f",
            "c1\u0085control", "nul\u0000");

    static Stream<Arguments> badInputs() {
        List<Arguments> l = new ArrayList<>();
        // ---- framing ----
        add(l, "twoGibLengthPrefixGetsFrameTooLargeThenClose", c -> {
            c.sendBytes(u32(0x80000000L));
            c.expectErrorThenEof(FRAME_TOO_LARGE);
        });
        add(l, "maxUint32LengthPrefixGetsFrameTooLargeThenClose", c -> {
            c.sendBytes(u32(0xFFFFFFFFL));
            c.expectErrorThenEof(FRAME_TOO_LARGE);
        });
        add(l, "lengthOneOverControlLimitGetsFrameTooLargeThenClose", c -> {
            c.sendBytes(u32(Wire.MAX_CONTROL_FRAME_BYTES + 1));
            c.expectErrorThenEof(FRAME_TOO_LARGE);
        });
        add(l, "twoGibLengthPrefixAfterHelloGetsFrameTooLargeThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendBytes(u32(0x80000000L));
            c.expectErrorThenEof(FRAME_TOO_LARGE);
        });
        add(l, "maxUint32LengthPrefixWithTypeByteAfterHelloGetsFrameTooLargeThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendBytes(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x10});
            c.expectErrorThenEof(FRAME_TOO_LARGE);
        });
        add(l, "zeroLengthFrameGetsMalformedThenClose", c -> {
            c.sendBytes(u32(0));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "zeroLengthFrameAfterHelloGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendBytes(u32(0));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "frameOfExactlyTheControlLimitIsReadAndJudgedByItsContent", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(MessageType.PING.code(), new byte[Wire.MAX_CONTROL_FRAME_BYTES - 1]);
            c.expectErrorThenEof(MALFORMED); // a PING with trailing bytes, not FRAME_TOO_LARGE
        });
        // ---- unknown types ----
        add(l, "unknownTypeAsFirstFrameGetsUnknownTypeThenClose", c -> {
            c.sendFrame(0x7f, new byte[0]);
            c.expectErrorThenEof(UNKNOWN_TYPE);
        });
        add(l, "unknownTypeAfterHelloGetsUnknownTypeThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(0x7f, new byte[0]);
            c.expectErrorThenEof(UNKNOWN_TYPE);
        });
        add(l, "unknownTypeWithPayloadAfterHelloGetsUnknownTypeThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(0x7f, new byte[100]);
            c.expectErrorThenEof(UNKNOWN_TYPE);
        });
        add(l, "typeZeroAfterHelloGetsUnknownTypeThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(0x00, new byte[0]);
            c.expectErrorThenEof(UNKNOWN_TYPE);
        });
        add(l, "typeFfAfterHelloGetsUnknownTypeThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(0xff, new byte[3]);
            c.expectErrorThenEof(UNKNOWN_TYPE);
        });
        add(l, "unknownTypeAfterAnAnnouncementGetsUnknownTypeThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(announce(CASE_ID, "case/movie.mp4"), new ListStreams("", 10));
            c.expect(MessageType.STREAMS, Streams::decode);
            c.sendFrame(0x7f, new byte[0]);
            c.expectErrorThenEof(UNKNOWN_TYPE);
        });
        // ---- out of order ----
        add(l, "announceBeforeHelloGetsUnexpectedThenClose", c -> {
            c.send(announce(ID, "movie.mp4"));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "lookupByNameBeforeHelloGetsUnexpectedThenClose", c -> {
            c.send(Lookup.byName("movie.mp4", 10));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "lookupByContentIdBeforeHelloGetsUnexpectedThenClose", c -> {
            c.send(Lookup.byContentId(ID, 10));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "listBeforeHelloGetsUnexpectedThenClose", c -> {
            c.send(new ListStreams("", 10));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "withdrawBeforeHelloGetsUnexpectedThenClose", c -> {
            c.send(new Withdraw(ID));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "pingBeforeHelloGetsUnexpectedThenClose", c -> {
            c.send(EmptyMessage.PING);
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "secondHelloGetsUnexpectedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(hello(LISTEN_PORT));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "welcomeSentByAPeerGetsUnexpectedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new Welcome(7, new InetSocketAddress("127.0.0.1", 1)));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "peerProtocolRequestOnTrackerSessionGetsUnexpectedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(IndexMessage.request(0));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "answerTypePeersSentToTrackerGetsUnexpectedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(Peers.NOT_FOUND);
            c.expectErrorThenEof(UNEXPECTED);
        });
        // ---- HELLO ----
        add(l, "helloWithBadMagicGetsBadHelloThenClose", c -> {
            c.sendFrame(MessageType.HELLO.code(), helloWith(0, 'X'));
            c.expectErrorThenEof(BAD_HELLO);
        });
        add(l, "helloWithVersionZeroGetsBadHelloThenClose", c -> {
            c.sendFrame(MessageType.HELLO.code(), helloWith(4, 0));
            c.expectErrorThenEof(BAD_HELLO);
        });
        add(l, "helloWithNextVersionGetsBadHelloThenClose", c -> {
            c.sendFrame(MessageType.HELLO.code(), helloWith(4, Wire.VERSION + 1));
            c.expectErrorThenEof(BAD_HELLO);
        });
        add(l, "helloWithVersion255GetsBadHelloThenClose", c -> {
            c.sendFrame(MessageType.HELLO.code(), helloWith(4, 255));
            c.expectErrorThenEof(BAD_HELLO);
        });
        add(l, "helloWithTrackerRoleGetsBadHelloThenClose", c -> {
            c.send(new Hello(Role.TRACKER, PeerId.random(), LISTEN_PORT, null));
            c.expectErrorThenEof(BAD_HELLO);
        });
        add(l, "helloWithRoleZeroGetsBadHelloThenClose", c -> {
            c.sendFrame(MessageType.HELLO.code(), helloWith(5, 0));
            c.expectErrorThenEof(BAD_HELLO);
        });
        add(l, "helloWithUnknownRoleGetsBadHelloThenClose", c -> {
            c.sendFrame(MessageType.HELLO.code(), helloWith(5, 9));
            c.expectErrorThenEof(BAD_HELLO);
        });
        add(l, "emptyHelloGetsMalformedThenClose", c -> {
            c.sendFrame(MessageType.HELLO.code(), new byte[0]);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "helloWithOnlyMagicGetsMalformedThenClose", c -> {
            c.sendFrame(MessageType.HELLO.code(), cut(payload(hello(LISTEN_PORT)), 4));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "helloCutInsidePeerIdGetsMalformedThenClose", c -> {
            c.sendFrame(MessageType.HELLO.code(), cut(payload(hello(LISTEN_PORT)), 12));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "helloWithoutHasContentByteGetsMalformedThenClose", c -> {
            byte[] p = payload(hello(LISTEN_PORT));
            c.sendFrame(MessageType.HELLO.code(), cut(p, p.length - 1));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "helloWithHasContentTwoGetsMalformedThenClose", c -> {
            byte[] p = payload(hello(LISTEN_PORT));
            p[p.length - 1] = 2;
            c.sendFrame(MessageType.HELLO.code(), p);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "helloClaimingContentIdButMissingItGetsMalformedThenClose", c -> {
            byte[] p = payload(hello(LISTEN_PORT));
            p[p.length - 1] = 1;
            c.sendFrame(MessageType.HELLO.code(), p);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "helloWithTrailingByteGetsMalformedThenClose", c -> {
            c.sendFrame(MessageType.HELLO.code(), plus(payload(hello(LISTEN_PORT)), 1));
            c.expectErrorThenEof(MALFORMED);
        });
        // ---- names ----
        for (String name : PATH_TRICK_NAMES) {
            add(l, "announceNamed[" + name + "]GetsBadNameThenClose", c -> {
                c.hello(LISTEN_PORT);
                c.send(announce(ID, name));
                c.expectErrorThenEof(BAD_NAME);
            });
            add(l, "lookupByName[" + name + "]GetsBadNameThenClose", c -> {
                c.hello(LISTEN_PORT);
                c.send(Lookup.byName(name, 10));
                c.expectErrorThenEof(BAD_NAME);
            });
        }
        for (String name : CONTROL_CHARACTER_NAMES) {
            String shown = name.chars().mapToObj(ch -> ch < 0x20 || ch >= 0x7f ? String.format("\\u%04x", ch)
                    : String.valueOf((char) ch)).reduce("", String::concat);
            // docs/PROTOCOL.md section 2: a str with a control character is MALFORMED (BAD_NAME is for path rules)
            add(l, "announceNamed[" + shown + "]WithControlCharacterGetsMalformedThenClose", c -> {
                c.hello(LISTEN_PORT);
                c.send(announce(ID, name));
                c.expectErrorThenEof(MALFORMED);
            });
            add(l, "lookupByName[" + shown + "]WithControlCharacterGetsMalformedThenClose", c -> {
                c.hello(LISTEN_PORT);
                c.send(Lookup.byName(name, 10));
                c.expectErrorThenEof(MALFORMED);
            });
        }
        add(l, "announceWithNameOverMaxBytesGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(announce(ID, "x".repeat(Wire.MAX_NAME_BYTES + 1)));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceWithInvalidUtf8NameGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            byte[] name = {'a', (byte) 0xc0, (byte) 0xaf, 'b'}; // overlong '/'
            c.sendFrame(MessageType.ANNOUNCE.code(), announceWithRawName(name.length, name));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceWithNameLengthBeyondTheFrameGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(MessageType.ANNOUNCE.code(), announceWithRawName(60_000, "movie".getBytes(StandardCharsets.UTF_8)));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "listWithControlCharacterFilterGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new ListStreams("a\u0000b", 10));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "listWithFilterOverMaxBytesGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new ListStreams("x".repeat(Wire.MAX_NAME_BYTES + 1), 10));
            c.expectErrorThenEof(MALFORMED);
        });
        // ---- ANNOUNCE fields ----
        add(l, "announceWithChunkCountBelowSizeGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new Announce(ID, "movie.mp4", SIZE, CHUNK, 3, 3));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceWithChunkCountAboveSizeGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new Announce(ID, "movie.mp4", SIZE, CHUNK, 5, 5));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceOfEmptyFileWithOneChunkGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new Announce(ID, "empty", 0, CHUNK, 1, 1));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "liveAnnounceWithChunkCountGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new Announce(ID, "live", -1, CHUNK, 1, 0));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceWithHeldAboveChunkCountGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new Announce(ID, "movie.mp4", SIZE, CHUNK, 4, 5));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceWithChunkSizeBelowMinimumGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new Announce(ID, "movie.mp4", 4096, 1024, 4, 4));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceWithChunkSizeAboveMaximumGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new Announce(ID, "movie.mp4", 8L << 20, 8 << 20, 1, 1));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceWithZeroChunkSizeGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new Announce(ID, "movie.mp4", SIZE, 0, 4, 4));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceWithSizeBelowMinusOneGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new Announce(ID, "movie.mp4", -2, CHUNK, 0, 0));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceWithMaxLongSizeGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new Announce(ID, "movie.mp4", Long.MAX_VALUE, Wire.MAX_CHUNK_BYTES, Integer.MAX_VALUE, 0));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceWithChunkCountOverProtocolLimitGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            int count = Wire.MAX_CHUNK_COUNT + 1;
            c.send(new Announce(ID, "movie.mp4", (long) count * Wire.MIN_CHUNK_BYTES, Wire.MIN_CHUNK_BYTES, count, count));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceWithChunkCountHighBitSetGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.send(new Announce(ID, "movie.mp4", SIZE, CHUNK, Integer.MIN_VALUE, 0));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceCutShortInsideItsFrameGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            byte[] p = payload(announce(ID, "movie.mp4"));
            c.sendFrame(MessageType.ANNOUNCE.code(), cut(p, p.length - 2));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceWithTrailingBytesGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(MessageType.ANNOUNCE.code(), plus(payload(announce(ID, "movie.mp4")), 3));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "announceFromSessionWithListenPortZeroGetsUnexpectedThenClose", c -> {
            c.hello(0);
            c.send(announce(ID, "movie.mp4"));
            c.expectErrorThenEof(UNEXPECTED);
        });
        // ---- LOOKUP, LIST, WITHDRAW, PING fields ----
        add(l, "lookupByZeroGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            byte[] p = payload(Lookup.byContentId(ID, 10));
            p[0] = 0;
            c.sendFrame(MessageType.LOOKUP.code(), p);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "lookupByThreeGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            byte[] p = payload(Lookup.byContentId(ID, 10));
            p[0] = 3;
            c.sendFrame(MessageType.LOOKUP.code(), p);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "lookupWithTruncatedContentIdGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(MessageType.LOOKUP.code(), cut(payload(Lookup.byContentId(ID, 10)), 20));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "lookupWithoutMaxPeersGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            byte[] p = payload(Lookup.byName("movie.mp4", 10));
            c.sendFrame(MessageType.LOOKUP.code(), cut(p, p.length - 2));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "lookupWithTrailingBytesGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(MessageType.LOOKUP.code(), plus(payload(Lookup.byContentId(ID, 10)), 1));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "emptyLookupGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(MessageType.LOOKUP.code(), new byte[0]);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "listWithoutLimitGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            byte[] p = payload(new ListStreams("mov", 10));
            c.sendFrame(MessageType.LIST.code(), cut(p, p.length - 1));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "listWithTrailingBytesGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(MessageType.LIST.code(), plus(payload(new ListStreams("mov", 10)), 2));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "withdrawOfShortContentIdGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(MessageType.WITHDRAW.code(), new byte[31]);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "withdrawWithTrailingByteGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(MessageType.WITHDRAW.code(), new byte[33]);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "pingWithPayloadGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(MessageType.PING.code(), new byte[1]);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "pongWithPayloadGetsMalformedThenClose", c -> {
            c.hello(LISTEN_PORT);
            c.sendFrame(MessageType.PONG.code(), new byte[4]);
            c.expectErrorThenEof(MALFORMED);
        });
        return l.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    @Timeout(30)
    void badInputGetsItsErrorThenCloseAndLeavesNothingBehind(Case badInput) throws Exception {
        try (RawClient c = RawClient.connect(tracker.address())) {
            badInput.run(c);
        }
        awaitNoConnectionsAndNoEntries();
    }

    // ---- random bytes ----

    @Test
    @Timeout(60)
    void randomBytesGetTheConnectionClosedWithAtMostAnError() throws Exception {
        for (int seed = 1; seed <= 32; seed++) {
            Random random = new Random(seed);
            byte[] bytes = new byte[1 + random.nextInt(4096)];
            random.nextBytes(bytes);
            assertClosedWithOnlyErrors(sendRandom(bytes, false), "seed " + seed);
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(60)
    void randomBytesAfterHelloGetTheConnectionClosedWithAtMostAnError() throws Exception {
        for (int seed = 100; seed < 132; seed++) {
            Random random = new Random(seed);
            byte[] bytes = new byte[1 + random.nextInt(4096)];
            random.nextBytes(bytes);
            assertClosedWithOnlyErrors(sendRandom(bytes, true), "seed " + seed);
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(60)
    void randomFrameWithPlausibleLengthAsFirstFrameGetsAnErrorThenClose() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 64; i++) {
            byte[] body = new byte[random.nextInt(200)];
            random.nextBytes(body);
            int type = i % 4 == 0 ? MessageType.HELLO.code() : random.nextInt(256);
            try (RawClient c = RawClient.connect(tracker.address())) {
                c.sendFrame(type, body);
                ErrorMessage e = c.expectErrorThenEof(INPUT_ERRORS.toArray(new ErrorCode[0]));
                assertNotNull(e);
            }
        }
        awaitNoConnectionsAndNoEntries();
    }

    /**
     * Mutated copies of valid frames (bytes flipped, payload cut or extended, type changed; the length prefix
     * kept consistent), each after a good HELLO and followed by a PING probe: the tracker either accepts the
     * frame (the PONG arrives) or answers ERROR with an input error code and closes; never closes silently.
     */
    @Test
    @Timeout(120)
    void mutatedFramesAfterHelloGetAnswerOrErrorNeverSilentClose() throws Exception {
        Random random = new Random(42);
        List<Message> bases = List.of(announce(ID, "dir/movie.mp4"), new Announce(OTHER_ID, "live", -1, CHUNK, 0, 0),
                Lookup.byName("dir/movie.mp4", 50), Lookup.byContentId(ID, 50), new ListStreams("mov", 100),
                new Withdraw(ID), hello(LISTEN_PORT), EmptyMessage.PONG);
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < 400; i++) {
            Message base = bases.get(random.nextInt(bases.size()));
            byte[] body = payload(base);
            int type = base.type().code();
            switch (random.nextInt(5)) {
                case 0 -> body = cut(body, random.nextInt(body.length + 1));
                case 1 -> {
                    body = plus(body, 1 + random.nextInt(8));
                    for (int k = 0; k < body.length; k++) {
                        if (body[k] == 0 && random.nextInt(4) == 0) {
                            body[k] = (byte) random.nextInt(256);
                        }
                    }
                }
                case 2 -> type = random.nextInt(256);
                default -> {
                    for (int k = 1 + random.nextInt(3); k > 0 && body.length > 0; k--) {
                        int at = random.nextInt(body.length);
                        int[] specials = {0x00, 0xff, '/', '.', 0x01, 0x80, random.nextInt(256)};
                        body[at] = (byte) specials[random.nextInt(specials.length)];
                    }
                }
            }
            if (type == MessageType.PING.code()) {
                type = MessageType.PONG.code(); // a PING would answer PONG itself and confuse the probe
            }
            byte[] frame = frame(type, body);
            String what = "mutation " + i + ": type 0x" + Integer.toHexString(type) + " payload " + Arrays.toString(body);
            try (RawClient c = RawClient.connect(tracker.address())) {
                c.hello(LISTEN_PORT);
                byte[] both = Arrays.copyOf(frame, frame.length + Frames.HEADER_BYTES);
                System.arraycopy(encoded(EmptyMessage.PING), 0, both, frame.length, Frames.HEADER_BYTES);
                c.sendBytes(both);
                boolean done = false;
                while (!done) {
                    RawClient.Frame f;
                    try {
                        f = c.readOrEof();
                    } catch (java.net.SocketException reset) {
                        fail(what + ": connection reset without an ERROR");
                        return;
                    }
                    if (f == null) {
                        fail(what + ": closed without an ERROR");
                    }
                    if (f.type() == MessageType.PONG.code()) {
                        accepted++;
                        done = true;
                    } else if (f.type() == MessageType.ERROR.code()) {
                        ErrorMessage e = ErrorMessage.decode(f.buffer());
                        assertTrue(INPUT_ERRORS.contains(ErrorCode.of(e.code())),
                                what + ": ERROR " + e.codeName() + " " + e.message());
                        RawClient.Ending end = c.readUntilClosed(true);
                        assertTrue(end.frames().isEmpty(), what + ": frames after ERROR");
                        refused++;
                        done = true;
                    } else {
                        assertTrue(f.type() == MessageType.STREAMS.code() || f.type() == MessageType.PEERS.code(),
                                what + ": unexpected answer " + f.describe());
                    }
                }
            }
        }
        assertTrue(refused > 100, "most mutations are refused: " + refused);
        assertTrue(accepted > 0, "some mutations stay valid: " + accepted);
        awaitNoConnectionsAndNoEntries();
        assertGoodSessionsWork();
    }

    // ---- truncated frames ----

    static Stream<Arguments> truncations() {
        List<Message> messages = List.of(hello(LISTEN_PORT), announce(ID, "dir/movie.mp4"), Lookup.byName("dir/movie.mp4", 10),
                Lookup.byContentId(ID, 10), new ListStreams("mov", 10), new Withdraw(ID), EmptyMessage.PING);
        List<Arguments> list = new ArrayList<>();
        for (Message m : messages) {
            int length = encoded(m).length;
            Set<Integer> cuts = new HashSet<>(List.of(1, 3, 4, 5, length / 2, length - 1));
            for (int cutAt : cuts) {
                if (cutAt > 0 && cutAt < length) {
                    list.add(Arguments.of(m.type(), m, cutAt));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "truncated {0} cut after {2} bytes then close: server closes, nothing kept")
    @MethodSource("truncations")
    @Timeout(30)
    void truncatedFrameFollowedByCloseIsDroppedAndLeavesNothingBehind(MessageType type, Message m, int cutAt)
            throws Exception {
        try (RawClient c = RawClient.connect(tracker.address())) {
            if (type != MessageType.HELLO) {
                c.hello(LISTEN_PORT);
            }
            c.sendBytes(cut(encoded(m), cutAt));
            c.shutdownOutput();
            RawClient.Ending end = c.readUntilClosed(false);
            for (RawClient.Frame f : end.frames()) {
                assertEquals(MessageType.ERROR.code(), f.type(), "only an ERROR may come back: " + f.describe());
            }
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void truncatedAnnounceFollowedByResetLeavesNothingBehind() throws Exception {
        RawClient c = RawClient.connect(tracker.address());
        c.hello(LISTEN_PORT);
        byte[] a = encoded(announce(ID, "dir/movie.mp4"));
        c.sendBytes(cut(a, a.length - 3));
        c.abort();
        awaitNoConnectionsAndNoEntries();
        assertGoodSessionsWork();
    }

    @Test
    @Timeout(40)
    void truncatedHelloThenSilenceGetsTimeoutErrorThenClose() throws Exception {
        try (RawClient c = RawClient.connect(tracker.address())) {
            c.sendBytes(cut(encoded(hello(LISTEN_PORT)), 10));
            c.soTimeout((int) Tracker.HELLO_TIMEOUT_MILLIS + 10_000);
            c.expectErrorThenEof(TIMEOUT);
        }
        awaitNoConnectionsAndNoEntries();
    }

    // ---- rate ----

    @Test
    @Timeout(30)
    void floodOfPingsBeyondTheFrameRateGetsRateLimitedThenClose() throws Exception {
        try (RawClient c = RawClient.connect(tracker.address())) {
            c.hello(LISTEN_PORT);
            int burst = 2001; // HELLO + 2001 frames: more than 2000 frames in one second whatever the window
            ByteBuffer b = ByteBuffer.allocate(burst * Frames.HEADER_BYTES);
            for (int i = 0; i < burst; i++) {
                Frames.encode(EmptyMessage.PING, b);
            }
            c.sendBytes(b.array());
            int pongs = 0;
            RawClient.Frame f;
            while ((f = c.read()).type() == MessageType.PONG.code()) {
                pongs++;
            }
            assertEquals(MessageType.ERROR.code(), f.type(), f.describe());
            assertEquals(RATE_LIMITED.code(), ErrorMessage.decode(f.buffer()).code(), f.describe());
            assertTrue(pongs >= 1998 && pongs <= 2000, "PONGs before the limit: " + pongs);
            c.readUntilClosed(true);
        }
        awaitNoConnectionsAndNoEntries();
        assertGoodSessionsWork();
    }

    // ---- everything on one tracker, then good sessions ----

    @Test
    @Timeout(120)
    void afterEveryKindOfBadInputAWellBehavedSessionStillWorks() throws Exception {
        List<Arguments> cases = badInputs().toList();
        for (Arguments a : cases) {
            @SuppressWarnings("unchecked")
            Named<Case> named = (Named<Case>) a.get()[0];
            try (RawClient c = RawClient.connect(tracker.address())) {
                named.getPayload().run(c);
            } catch (AssertionError | Exception e) {
                throw new AssertionError(named.getName() + ": " + e.getMessage(), e);
            }
        }
        for (int seed = 1; seed <= 8; seed++) {
            Random random = new Random(seed);
            byte[] bytes = new byte[1 + random.nextInt(4096)];
            random.nextBytes(bytes);
            assertClosedWithOnlyErrors(sendRandom(bytes, seed % 2 == 0), "seed " + seed);
        }
        for (Arguments a : truncations().toList()) {
            Message m = (Message) a.get()[1];
            int cutAt = (int) a.get()[2];
            try (RawClient c = RawClient.connect(tracker.address())) {
                c.hello(LISTEN_PORT);
                c.sendBytes(cut(encoded(m), cutAt));
                c.shutdownOutput();
                c.readUntilClosed(false);
            }
        }
        awaitNoConnectionsAndNoEntries();
        assertGoodSessionsWork();
    }

    /**
     * Many connections sending bad input at the same time, while a good session keeps looking up a peer that
     * stays announced: every lookup finds it.
     */
    @Test
    @Timeout(120)
    void concurrentBadConnectionsDoNotDisturbAGoodSession() throws Exception {
        try (RawClient seed = RawClient.connect(tracker.address()); RawClient asker = RawClient.connect(tracker.address())) {
            seed.hello(LISTEN_PORT);
            seed.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
            seed.expect(MessageType.STREAMS, Streams::decode);
            asker.hello(0);
            List<Arguments> cases = badInputs().toList();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> futures = new ArrayList<>();
            try {
                for (int t = 0; t < 8; t++) {
                    int offset = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < cases.size(); i++) {
                            @SuppressWarnings("unchecked")
                            Named<Case> named = (Named<Case>) cases.get((i + offset * 7) % cases.size()).get()[0];
                            try (RawClient c = RawClient.connect(tracker.address())) {
                                named.getPayload().run(c);
                            } catch (AssertionError | Exception e) {
                                throw new AssertionError(named.getName() + ": " + e.getMessage(), e);
                            }
                        }
                        return null;
                    }));
                }
                long start = System.nanoTime();
                int lookups = 0;
                while (!futures.stream().allMatch(Future::isDone)) {
                    // at most one lookup per two milliseconds: far below the per-connection frame rate limit
                    long allowed = (System.nanoTime() - start) / 2_000_000;
                    if (lookups >= allowed) {
                        LockSupport.parkNanos(1_000_000);
                        continue;
                    }
                    asker.send(Lookup.byContentId(ID, 10));
                    Peers p = asker.expect(MessageType.PEERS, Peers::decode);
                    assertTrue(p.found(), "lookup " + lookups + " finds the seed");
                    assertEquals(1, p.peers().size(), "lookup " + lookups);
                    assertEquals(seed.peerId, p.peers().get(0).peerId());
                    lookups++;
                }
                for (Future<?> f : futures) {
                    f.get(60, TimeUnit.SECONDS);
                }
                assertTrue(lookups > 0);
            } finally {
                pool.shutdownNow();
            }
            await("only the two good sessions stay connected", () -> tracker.connectionCount() == 2);
            await("only the good seed's entry stays", () -> tracker.entryCount() == 1);
        }
        awaitNoConnectionsAndNoEntries();
    }

    // ---- registry behaviour under adversarial use ----

    @Test
    @Timeout(30)
    void lookupNeverReturnsTheAsker() throws Exception {
        try (RawClient a = RawClient.connect(tracker.address()); RawClient b = RawClient.connect(tracker.address())) {
            a.hello(LISTEN_PORT);
            b.hello(LISTEN_PORT + 1);
            a.send(announce(ID, "dir/movie.mp4"), Lookup.byContentId(ID, 200), Lookup.byName("dir/movie.mp4", 200));
            Peers alone = a.expect(MessageType.PEERS, Peers::decode);
            assertTrue(alone.found(), "the stream is known");
            assertEquals(List.of(), alone.peers(), "the only holder is the asker: not listed");
            assertEquals(List.of(), a.expect(MessageType.PEERS, Peers::decode).peers(), "by name too");
            b.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
            b.expect(MessageType.STREAMS, Streams::decode);
            for (int i = 0; i < 20; i++) {
                a.send(Lookup.byContentId(ID, 200), Lookup.byName("dir/movie.mp4", 1));
                b.send(Lookup.byContentId(ID, 200), Lookup.byName("dir/movie.mp4", 1));
                for (RawClient asker : List.of(a, b)) {
                    RawClient other = asker == a ? b : a;
                    for (int k = 0; k < 2; k++) {
                        Peers p = asker.expect(MessageType.PEERS, Peers::decode);
                        assertEquals(1, p.peers().size(), "exactly the other holder");
                        assertEquals(other.peerId, p.peers().get(0).peerId(), "never the asker");
                        assertNotEquals(asker.peerId, p.peers().get(0).peerId());
                    }
                }
            }
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void lookupOfUnknownContentIdReturnsPeersWithFoundZero() throws Exception {
        try (RawClient a = RawClient.connect(tracker.address()); RawClient b = RawClient.connect(tracker.address())) {
            a.hello(LISTEN_PORT);
            a.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
            a.expect(MessageType.STREAMS, Streams::decode);
            b.hello(0);
            b.send(Lookup.byContentId(OTHER_ID, 10));
            RawClient.Frame f = b.read();
            assertEquals(MessageType.PEERS.code(), f.type(), f.describe());
            assertEquals(List.of((byte) 0), List.of(f.payload()[0]), "found=0");
            assertEquals(1, f.payload().length, "found=0 and nothing else");
            assertFalse(Peers.decode(f.buffer()).found());
            b.send(Lookup.byName("no/such/name", 10));
            assertFalse(b.expect(MessageType.PEERS, Peers::decode).found(), "unknown name: found=0");
            b.send(Lookup.byName("movie.mp4", 10));
            assertFalse(b.expect(MessageType.PEERS, Peers::decode).found(), "names match exactly, not by suffix");
            b.send(EmptyMessage.PING);
            b.expect(MessageType.PONG, p -> p); // the session is still open
        }
    }

    @Test
    @Timeout(30)
    void lookupWithMaxPeersZeroFindsTheStreamButListsNobody() throws Exception {
        try (RawClient a = RawClient.connect(tracker.address()); RawClient b = RawClient.connect(tracker.address())) {
            a.hello(LISTEN_PORT);
            a.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
            a.expect(MessageType.STREAMS, Streams::decode);
            b.hello(0);
            b.send(Lookup.byContentId(ID, 0));
            Peers p = b.expect(MessageType.PEERS, Peers::decode);
            assertTrue(p.found());
            assertEquals(List.of(), p.peers());
        }
    }

    @Test
    @Timeout(30)
    void withdrawByAnotherSessionDoesNotRemoveTheHolder() throws Exception {
        try (RawClient a = RawClient.connect(tracker.address()); RawClient b = RawClient.connect(tracker.address())) {
            a.hello(LISTEN_PORT);
            a.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
            a.expect(MessageType.STREAMS, Streams::decode);
            b.hello(LISTEN_PORT + 1);
            b.send(new Withdraw(ID), new Withdraw(OTHER_ID), Lookup.byContentId(ID, 10));
            Peers p = b.expect(MessageType.PEERS, Peers::decode);
            assertEquals(1, p.peers().size(), "a's entry survives b's withdraw");
            assertEquals(a.peerId, p.peers().get(0).peerId());
            assertEquals(1, tracker.entryCount());
            a.send(new Withdraw(ID), new ListStreams("", 10));
            assertEquals(List.of(), a.expect(MessageType.STREAMS, Streams::decode).streams(), "own withdraw removes it");
            assertEquals(0, tracker.entryCount());
        }
    }

    @Test
    @Timeout(30)
    void repeatedAnnounceOfTheSameStreamCountsOnce() throws Exception {
        try (RawClient a = RawClient.connect(tracker.address())) {
            a.hello(LISTEN_PORT);
            for (int i = 0; i < 50; i++) {
                a.send(announce(ID, "dir/movie.mp4"));
            }
            a.send(new Announce(ID, "dir/movie.mp4", SIZE, CHUNK, 4, 2), new ListStreams("", 10));
            Streams s = a.expect(MessageType.STREAMS, Streams::decode);
            assertEquals(1, s.streams().size());
            assertEquals(1, s.streams().get(0).peers());
            assertEquals(0, s.streams().get(0).seeds(), "the last announcement (2 of 4 held) counts");
            assertEquals(1, tracker.entryCount());
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void conflictingAnnounceOfAKnownContentIdGetsOutOfRangeAndTheOriginalStays() throws Exception {
        try (RawClient a = RawClient.connect(tracker.address()); RawClient b = RawClient.connect(tracker.address())) {
            a.hello(LISTEN_PORT);
            a.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
            a.expect(MessageType.STREAMS, Streams::decode);
            b.hello(LISTEN_PORT + 1);
            b.send(announce(ID, "dir/other-name.mp4"));
            b.expectErrorThenEof(OUT_OF_RANGE);
            a.send(Lookup.byName("dir/other-name.mp4", 10), Lookup.byName("dir/movie.mp4", 10));
            assertFalse(a.expect(MessageType.PEERS, Peers::decode).found(), "the lying name is not registered");
            Peers p = a.expect(MessageType.PEERS, Peers::decode);
            assertTrue(p.found());
            assertEquals(SIZE, p.size());
            await("b's connection closed", () -> tracker.connectionCount() == 1);
            assertEquals(1, tracker.entryCount());
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void sessionThatClosesHasItsEntriesRemoved() throws Exception {
        try (RawClient b = RawClient.connect(tracker.address())) {
            b.hello(0);
            RawClient a = RawClient.connect(tracker.address());
            a.hello(LISTEN_PORT);
            a.send(announce(ID, "dir/movie.mp4"), announce(OTHER_ID, "dir/other.mp4"), new ListStreams("", 10));
            assertEquals(2, a.expect(MessageType.STREAMS, Streams::decode).streams().size());
            assertEquals(2, tracker.entryCount());
            a.close();
            await("entries of the closed session removed", () -> tracker.entryCount() == 0);
            assertEquals(0, tracker.streamCount());
            b.send(Lookup.byContentId(ID, 10), new ListStreams("", 10));
            assertFalse(b.expect(MessageType.PEERS, Peers::decode).found(), "no stale peer");
            assertEquals(List.of(), b.expect(MessageType.STREAMS, Streams::decode).streams());
            await("one connection left", () -> tracker.connectionCount() == 1);
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void sessionThatIsResetHasItsEntriesRemoved() throws Exception {
        RawClient a = RawClient.connect(tracker.address());
        a.hello(LISTEN_PORT);
        a.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
        a.expect(MessageType.STREAMS, Streams::decode);
        a.abort();
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void listOfManyStreamsWithLongestNamesFitsOneControlFrame() throws Exception {
        try (RawClient a = RawClient.connect(tracker.address())) {
            a.hello(LISTEN_PORT);
            int streams = 120; // 120 x ~1.1 KB: twice what fits in one 64 KiB frame
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                String name = String.format("%04d/", i) + "n".repeat(Wire.MAX_NAME_BYTES - 5);
                batch.add(announce(new ContentId(77, 0, 0, i), name));
            }
            a.send(batch.toArray(new Message[0]));
            a.send(new ListStreams("", 65535), new ListStreams("0001", 65535));
            Streams all = a.expect(MessageType.STREAMS, Streams::decode);
            assertTrue(all.streams().size() > 10 && all.streams().size() < streams,
                    "as many as fit one frame: " + all.streams().size());
            assertTrue(Frames.HEADER_BYTES + all.payloadLength() <= Wire.LENGTH_FIELD_BYTES + Wire.MAX_CONTROL_FRAME_BYTES);
            Streams one = a.expect(MessageType.STREAMS, Streams::decode);
            assertEquals(1, one.streams().size(), "the filter is a substring match");
            assertEquals(streams, tracker.entryCount());
        }
        awaitNoConnectionsAndNoEntries();
    }

    /**
     * A client sends 1990 LISTs (9 bytes each, under the 2000 frames/s limit) whose answers are ~64 KiB each,
     * and never reads. Backpressure should hold the tracker to about the 1 MiB outbound watermark per
     * connection ("backlog waits in TCP, not in the heap"): the session stops reading once a few answers are
     * in flight on the registry loop.
     */
    @Test
    @Timeout(60)
    void clientThatPipelinesListsAndNeverReadsIsHeldToTheOutboundWatermarkNotTheHeap() throws Exception {
        try (RawClient seed = RawClient.connect(tracker.address());
             RawClient greedy = RawClient.connect(tracker.address());
             RawClient asker = RawClient.connect(tracker.address())) {
            seed.hello(LISTEN_PORT);
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                batch.add(announce(new ContentId(88, 0, 0, i), String.format("%04d/", i) + "n".repeat(Wire.MAX_NAME_BYTES - 5)));
            }
            seed.send(batch.toArray(new Message[0]));
            seed.send(new ListStreams("", 1000));
            Streams answer = seed.expect(MessageType.STREAMS, Streams::decode);
            assertTrue(answer.payloadLength() > 60_000, "each LIST answer is nearly a full frame");
            greedy.hello(0);
            asker.hello(0);
            long before = usedHeapAfterGc();
            int lists = 1990;
            ByteBuffer burst = ByteBuffer.allocate(lists * (Frames.HEADER_BYTES + 4));
            for (int i = 0; i < lists; i++) {
                Frames.encode(new ListStreams("", 1000), burst);
            }
            greedy.sendBytes(burst.array());
            long grown = 0;
            for (int round = 0; round < 10; round++) {
                asker.send(new ListStreams("no-such-stream", 1)); // a round trip through the registry loop
                asker.expect(MessageType.STREAMS, Streams::decode);
                grown = Math.max(grown, usedHeapAfterGc() - before);
            }
            long mib = grown / (1024 * 1024);
            assertTrue(mib < 32, "heap held for one connection that does not read: " + mib + " MiB ("
                    + lists + " answers of " + answer.payloadLength() + " bytes; watermark "
                    + p2pstream.common.net.Limits.CONTROL.highWatermarkBytes() / 1024 + " KiB)");
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    @Timeout(30)
    void connectionsBeyondTheLimitGetTooManyConnectionsThenCloseAndTheOthersStayUsable() throws Exception {
        try (Tracker small = Tracker.start(new Tracker.Config(new InetSocketAddress("127.0.0.1", 0), 2, 3, 60_000))) {
            List<RawClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawClient c = RawClient.connect(small.address());
                    c.hello(LISTEN_PORT + i);
                    open.add(c);
                }
                for (int i = 0; i < 5; i++) {
                    try (RawClient extra = RawClient.connect(small.address())) {
                        extra.expectErrorThenEof(ErrorCode.TOO_MANY_CONNECTIONS);
                    }
                }
                assertEquals(3, small.connectionCount());
                open.get(0).send(EmptyMessage.PING);
                open.get(0).expect(MessageType.PONG, b -> b);
                open.remove(0).close();
                await("a slot frees up", () -> small.connectionCount() == 2);
                RawClient again = RawClient.connect(small.address());
                open.add(again);
                again.hello(LISTEN_PORT);
            } finally {
                for (RawClient c : open) {
                    c.close();
                }
            }
            await("all closed", () -> small.connectionCount() == 0);
        }
    }

    @Test
    @Timeout(30)
    void silentSessionIsDroppedWithTimeoutAndItsEntriesRemovedWhilePingingOneStays() throws Exception {
        long timeout = 1_000;
        try (Tracker quick = Tracker.start(new Tracker.Config(new InetSocketAddress("127.0.0.1", 0), 2, 100, timeout));
             RawClient silent = RawClient.connect(quick.address());
             RawClient pinging = RawClient.connect(quick.address())) {
            silent.hello(LISTEN_PORT);
            silent.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
            silent.expect(MessageType.STREAMS, Streams::decode);
            pinging.hello(LISTEN_PORT + 1);
            pinging.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
            pinging.expect(MessageType.STREAMS, Streams::decode);
            assertEquals(2, quick.entryCount());
            silent.soTimeout((int) timeout * 10);
            long start = System.nanoTime();
            long lastPing = start;
            // the pinging session PINGs every 200 ms (a third of the timeout and less) until the silent one is dropped
            java.util.concurrent.CompletableFuture<ErrorMessage> dropped = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return silent.expectErrorThenEof(TIMEOUT);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            while (!dropped.isDone()) {
                if (System.nanoTime() - lastPing >= 200_000_000L) {
                    pinging.send(EmptyMessage.PING);
                    pinging.expect(MessageType.PONG, b -> b);
                    lastPing = System.nanoTime();
                }
                LockSupport.parkNanos(5_000_000);
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "silent session never dropped");
            }
            assertNotNull(dropped.get());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(timeout / 2), "not dropped early");
            await("the silent session's entry removed", () -> quick.entryCount() == 1);
            pinging.send(Lookup.byContentId(ID, 10));
            assertTrue(pinging.expect(MessageType.PEERS, Peers::decode).peers().isEmpty(), "only the asker holds it now");
            assertEquals(1, quick.connectionCount());
        }
    }

    // ---- helpers ----

    /** Sends random bytes (after a good HELLO when asked) and reads until the tracker closes. */
    private RawClient.Ending sendRandom(byte[] bytes, boolean helloFirst) throws Exception {
        try (RawClient c = RawClient.connect(tracker.address())) {
            if (helloFirst) {
                c.hello(LISTEN_PORT);
            }
            try {
                c.sendBytes(bytes);
            } catch (IOException e) {
                // the tracker may close (and reset) before it has read all of it
            }
            return c.readUntilClosed(true);
        }
    }

    private static void assertClosedWithOnlyErrors(RawClient.Ending end, String what) throws Exception {
        for (RawClient.Frame f : end.frames()) {
            assertEquals(MessageType.ERROR.code(), f.type(), what + ": only an ERROR may come back, got " + f.describe());
        }
        assertTrue(end.frames().size() <= 1, what + ": at most one ERROR");
        for (ErrorMessage e : end.errors()) {
            assertTrue(INPUT_ERRORS.contains(ErrorCode.of(e.code())), what + ": " + e.codeName() + " " + e.message());
        }
    }

    private void awaitNoConnectionsAndNoEntries() {
        await("all connections closed (now " + tracker.connectionCount() + ")", () -> tracker.connectionCount() == 0);
        await("no registry entries left", () -> tracker.entryCount() == 0);
        assertEquals(0, tracker.streamCount());
    }

    /**
     * A well-behaved session announces, a second one finds it, the connection count is exactly the good
     * sessions, and when the announcer leaves its entries go.
     */
    private void assertGoodSessionsWork() throws Exception {
        try (RawClient asker = RawClient.connect(tracker.address())) {
            RawClient seed = RawClient.connect(tracker.address());
            Welcome w = seed.hello(LISTEN_PORT);
            assertEquals(LISTEN_PORT, w.observedAddress().getPort());
            seed.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
            Streams listed = seed.expect(MessageType.STREAMS, Streams::decode);
            assertEquals(List.of("dir/movie.mp4"), listed.streams().stream().map(Streams.Entry::name).toList());
            asker.hello(0);
            asker.send(Lookup.byContentId(ID, 10));
            Peers p = asker.expect(MessageType.PEERS, Peers::decode);
            assertTrue(p.found(), "the good seed is found");
            assertEquals("dir/movie.mp4", p.name());
            assertEquals(1, p.peers().size());
            Peers.Entry e = p.peers().get(0);
            assertEquals(seed.peerId, e.peerId());
            assertEquals(new InetSocketAddress("127.0.0.1", LISTEN_PORT), e.address());
            assertTrue(e.complete());
            await("exactly the two good sessions connected", () -> tracker.connectionCount() == 2);
            assertEquals(1, tracker.entryCount());
            seed.close();
            await("the closed session's entries removed", () -> tracker.entryCount() == 0);
            await("one good session connected", () -> tracker.connectionCount() == 1);
            asker.send(Lookup.byContentId(ID, 10));
            assertFalse(asker.expect(MessageType.PEERS, Peers::decode).found());
        }
        await("no connections", () -> tracker.connectionCount() == 0);
    }
}
