package p2pstream.tracker;

import static p2pstream.common.net.WireBytes.cut;
import static p2pstream.common.net.WireBytes.encoded;
import static p2pstream.common.net.WireBytes.frame;
import static p2pstream.common.net.WireBytes.payload;
import static p2pstream.common.net.WireBytes.plus;
import static p2pstream.common.wire.ErrorCode.MALFORMED;
import static p2pstream.common.wire.ErrorCode.UNEXPECTED;
import static p2pstream.tracker.BadInput.afterHello;
import static p2pstream.tracker.BadInput.named;

import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Wire;

/**
 * Out-of-range and mis-shaped fields in the requests a tracker serves (ANNOUNCE, LOOKUP, LIST, WITHDRAW, PING,
 * PONG): each gets MALFORMED (or UNEXPECTED for an announce without a listen port) and a close.
 */
class TrackerRequestFieldsTest extends TrackerFixture {
    private static final int ANNOUNCE = MessageType.ANNOUNCE.code();
    private static final int LOOKUP = MessageType.LOOKUP.code();
    private static final int LIST = MessageType.LIST.code();

    /** After a good HELLO, an ANNOUNCE of ID named movie.mp4 with these fields gets MALFORMED. */
    private static Named<BadInput> badAnnounce(String behaviour, long size, int chunkSize, int chunkCount, int held) {
        return afterHello(behaviour, encoded(new Announce(ID, "movie.mp4", size, chunkSize, chunkCount, held)),
                MALFORMED);
    }

    /** After a good HELLO, one frame of {@code type} with {@code payload} gets MALFORMED. */
    private static Named<BadInput> malformed(String behaviour, int type, byte[] payload) {
        return afterHello(behaviour, frame(type, payload), MALFORMED);
    }

    /** A payload with its first byte replaced. */
    private static byte[] withFirstByte(byte[] payload, int value) {
        payload[0] = (byte) value;
        return payload;
    }

    static Stream<Named<BadInput>> badFields() {
        byte[] announce = payload(announce(ID, "movie.mp4"));
        byte[] byId = payload(Lookup.byContentId(ID, 10));
        byte[] byName = payload(Lookup.byName("movie.mp4", 10));
        byte[] list = payload(new ListStreams("mov", 10));
        int tooMany = Wire.MAX_CHUNK_COUNT + 1;
        return Stream.of(
                // ---- ANNOUNCE ----
                badAnnounce("announceWithChunkCountBelowSizeGetsMalformedThenClose", SIZE, CHUNK, 3, 3),
                badAnnounce("announceWithChunkCountAboveSizeGetsMalformedThenClose", SIZE, CHUNK, 5, 5),
                afterHello("announceOfEmptyFileWithOneChunkGetsMalformedThenClose",
                        encoded(new Announce(ID, "empty", 0, CHUNK, 1, 1)), MALFORMED),
                afterHello("liveAnnounceWithChunkCountGetsMalformedThenClose",
                        encoded(new Announce(ID, "live", -1, CHUNK, 1, 0)), MALFORMED),
                badAnnounce("announceWithHeldAboveChunkCountGetsMalformedThenClose", SIZE, CHUNK, 4, 5),
                badAnnounce("announceWithChunkSizeBelowMinimumGetsMalformedThenClose", 4096, 1024, 4, 4),
                badAnnounce("announceWithChunkSizeAboveMaximumGetsMalformedThenClose", 8L << 20, 8 << 20, 1, 1),
                badAnnounce("announceWithZeroChunkSizeGetsMalformedThenClose", SIZE, 0, 4, 4),
                badAnnounce("announceWithSizeBelowMinusOneGetsMalformedThenClose", -2, CHUNK, 0, 0),
                badAnnounce("announceWithMaxLongSizeGetsMalformedThenClose", Long.MAX_VALUE, Wire.MAX_CHUNK_BYTES,
                        Integer.MAX_VALUE, 0),
                badAnnounce("announceWithChunkCountOverProtocolLimitGetsMalformedThenClose",
                        (long) tooMany * Wire.MIN_CHUNK_BYTES, Wire.MIN_CHUNK_BYTES, tooMany, tooMany),
                badAnnounce("announceWithChunkCountHighBitSetGetsMalformedThenClose", SIZE, CHUNK, Integer.MIN_VALUE,
                        0),
                malformed("announceCutShortInsideItsFrameGetsMalformedThenClose", ANNOUNCE,
                        cut(announce, announce.length - 2)),
                malformed("announceWithTrailingBytesGetsMalformedThenClose", ANNOUNCE, plus(announce, 3)),
                named("announceFromSessionWithListenPortZeroGetsUnexpectedThenClose", c -> {
                    c.trackerHello(0);
                    c.send(announce(ID, "movie.mp4"));
                    c.expectErrorThenEof(UNEXPECTED);
                }),
                // ---- LOOKUP, LIST, WITHDRAW, PING, PONG ----
                malformed("lookupByZeroGetsMalformedThenClose", LOOKUP, withFirstByte(byId.clone(), 0)),
                malformed("lookupByThreeGetsMalformedThenClose", LOOKUP, withFirstByte(byId.clone(), 3)),
                malformed("lookupWithTruncatedContentIdGetsMalformedThenClose", LOOKUP, cut(byId, 20)),
                malformed("lookupWithoutMaxPeersGetsMalformedThenClose", LOOKUP, cut(byName, byName.length - 2)),
                malformed("lookupWithTrailingBytesGetsMalformedThenClose", LOOKUP, plus(byId, 1)),
                malformed("emptyLookupGetsMalformedThenClose", LOOKUP, new byte[0]),
                malformed("listWithoutLimitGetsMalformedThenClose", LIST, cut(list, list.length - 1)),
                malformed("listWithTrailingBytesGetsMalformedThenClose", LIST, plus(list, 2)),
                malformed("withdrawOfShortContentIdGetsMalformedThenClose", MessageType.WITHDRAW.code(), new byte[31]),
                malformed("withdrawWithTrailingByteGetsMalformedThenClose", MessageType.WITHDRAW.code(), new byte[33]),
                malformed("pingWithPayloadGetsMalformedThenClose", MessageType.PING.code(), new byte[1]),
                malformed("pongWithPayloadGetsMalformedThenClose", MessageType.PONG.code(), new byte[4]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFields")
    @Timeout(30)
    void badInputGetsItsErrorThenCloseAndLeavesNothingBehind(BadInput badInput) throws Exception {
        assertAnsweredLeavingNothingBehind(badInput);
    }
}
