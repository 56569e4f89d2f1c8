package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static p2pstream.common.net.WireBytes.cut;
import static p2pstream.common.net.WireBytes.encoded;
import static p2pstream.common.net.WireBytes.frame;
import static p2pstream.common.net.WireBytes.u32;
import static p2pstream.common.wire.ErrorCode.FRAME_TOO_LARGE;
import static p2pstream.common.wire.ErrorCode.MALFORMED;
import static p2pstream.common.wire.ErrorCode.TIMEOUT;
import static p2pstream.common.wire.ErrorCode.UNKNOWN_TYPE;
import static p2pstream.tracker.BadInput.afterHello;
import static p2pstream.tracker.BadInput.first;
import static p2pstream.tracker.BadInput.named;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.WireBytes;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Wire;
import p2pstream.common.wire.Withdraw;

/**
 * Bad framing against a real tracker: length prefixes out of range, unknown type bytes, frames cut short by a
 * close, a reset or silence. Each gets the right ERROR (or none) and a close, and leaves nothing behind.
 */
class TrackerFramingTest extends TrackerFixture {
    private static final byte[] TWO_GIB = u32(0x80000000L);

    static Stream<Named<BadInput>> badFrames() {
        return Stream.of(
                first("twoGibLengthPrefixGetsFrameTooLargeThenClose", TWO_GIB, FRAME_TOO_LARGE),
                first("maxUint32LengthPrefixGetsFrameTooLargeThenClose", u32(0xFFFFFFFFL), FRAME_TOO_LARGE),
                first("lengthOneOverControlLimitGetsFrameTooLargeThenClose", u32(Wire.MAX_CONTROL_FRAME_BYTES + 1),
                        FRAME_TOO_LARGE),
                afterHello("twoGibLengthPrefixAfterHelloGetsFrameTooLargeThenClose", TWO_GIB, FRAME_TOO_LARGE),
                afterHello("maxUint32LengthPrefixWithTypeByteAfterHelloGetsFrameTooLargeThenClose",
                        new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x10}, FRAME_TOO_LARGE),
                first("zeroLengthFrameGetsMalformedThenClose", u32(0), MALFORMED),
                afterHello("zeroLengthFrameAfterHelloGetsMalformedThenClose", u32(0), MALFORMED),
                // a PING with trailing bytes, not FRAME_TOO_LARGE
                afterHello("frameOfExactlyTheControlLimitIsReadAndJudgedByItsContent",
                        frame(MessageType.PING.code(), new byte[Wire.MAX_CONTROL_FRAME_BYTES - 1]), MALFORMED),
                // ---- unknown types ----
                first("unknownTypeAsFirstFrameGetsUnknownTypeThenClose", frame(0x7f, new byte[0]), UNKNOWN_TYPE),
                afterHello("unknownTypeAfterHelloGetsUnknownTypeThenClose", frame(0x7f, new byte[0]), UNKNOWN_TYPE),
                afterHello("unknownTypeWithPayloadAfterHelloGetsUnknownTypeThenClose", frame(0x7f, new byte[100]),
                        UNKNOWN_TYPE),
                afterHello("typeZeroAfterHelloGetsUnknownTypeThenClose", frame(0x00, new byte[0]), UNKNOWN_TYPE),
                afterHello("typeFfAfterHelloGetsUnknownTypeThenClose", frame(0xff, new byte[3]), UNKNOWN_TYPE),
                named("unknownTypeAfterAnAnnouncementGetsUnknownTypeThenClose", c -> {
                    c.trackerHello(LISTEN_PORT);
                    c.send(announce(CASE_ID, "case/movie.mp4"), new ListStreams("", 10));
                    c.expect(MessageType.STREAMS, Streams::decode);
                    c.sendFrame(0x7f, new byte[0]);
                    c.expectErrorThenEof(UNKNOWN_TYPE);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFrames")
    @Timeout(30)
    void badInputGetsItsErrorThenCloseAndLeavesNothingBehind(BadInput badInput) throws Exception {
        assertAnsweredLeavingNothingBehind(badInput);
    }

    // ---- truncated frames ----

    static Stream<Arguments> truncations() {
        return WireBytes.truncations(List.of(hello(LISTEN_PORT), announce(ID, "dir/movie.mp4"),
                Lookup.byName("dir/movie.mp4", 10), Lookup.byContentId(ID, 10), new ListStreams("mov", 10),
                new Withdraw(ID), EmptyMessage.PING));
    }

    @ParameterizedTest(name = "truncated {0} cut after {2} bytes then close: server closes, nothing kept")
    @MethodSource("truncations")
    @Timeout(30)
    void truncatedFrameFollowedByCloseIsDroppedAndLeavesNothingBehind(MessageType type, Message m, int cutAt)
            throws Exception {
        try (RawClient c = connect()) {
            if (type != MessageType.HELLO) {
                c.trackerHello(LISTEN_PORT);
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
        RawClient c = connect();
        c.trackerHello(LISTEN_PORT);
        byte[] a = encoded(announce(ID, "dir/movie.mp4"));
        c.sendBytes(cut(a, a.length - 3));
        c.abort();
        awaitNoConnectionsAndNoEntries();
        assertGoodSessionsWork();
    }

    @Test
    @Timeout(40)
    void truncatedHelloThenSilenceGetsTimeoutErrorThenClose() throws Exception {
        tracker.close();
        tracker = Tracker.start(Tracker.Config.loopback().withHelloTimeoutMillis(1_000)); // not the default 10 s
        try (RawClient c = connect()) {
            c.sendBytes(cut(encoded(hello(LISTEN_PORT)), 10));
            c.expectErrorThenEof(TIMEOUT);
        }
        awaitNoConnectionsAndNoEntries();
    }
}
