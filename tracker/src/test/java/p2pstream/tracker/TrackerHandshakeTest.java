package p2pstream.tracker;

import static p2pstream.common.net.WireBytes.cut;
import static p2pstream.common.net.WireBytes.encoded;
import static p2pstream.common.net.WireBytes.frame;
import static p2pstream.common.net.WireBytes.payload;
import static p2pstream.common.net.WireBytes.plus;
import static p2pstream.common.wire.ErrorCode.AUTHENTICATION;
import static p2pstream.common.wire.ErrorCode.BAD_HELLO;
import static p2pstream.common.wire.ErrorCode.MALFORMED;
import static p2pstream.common.wire.ErrorCode.UNEXPECTED;
import static p2pstream.tracker.BadInput.afterHello;
import static p2pstream.tracker.BadInput.first;

import java.net.InetSocketAddress;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Welcome;
import p2pstream.common.wire.Wire;
import p2pstream.common.wire.Withdraw;

/**
 * The tracker's handshake under bad input: requests before HELLO, a second HELLO, frames of the wrong direction
 * or protocol, and HELLOs with a bad magic, version, role or shape. Each gets its ERROR and a close.
 */
class TrackerHandshakeTest extends TrackerFixture {
    private static final int HELLO = MessageType.HELLO.code();

    /** A HELLO payload with one byte replaced. */
    private static byte[] helloWith(int offset, int value) {
        byte[] p = payload(hello(LISTEN_PORT));
        p[offset] = (byte) value;
        return p;
    }

    static Stream<Named<BadInput>> badHandshakes() {
        byte[] good = payload(hello(LISTEN_PORT));
        return Stream.of(
                // ---- out of order ----
                first("announceBeforeHelloGetsUnexpectedThenClose", encoded(announce(ID, "movie.mp4")), UNEXPECTED),
                first("lookupByNameBeforeHelloGetsUnexpectedThenClose", encoded(Lookup.byName("movie.mp4", 10)),
                        UNEXPECTED),
                first("lookupByContentIdBeforeHelloGetsUnexpectedThenClose", encoded(Lookup.byContentId(ID, 10)),
                        UNEXPECTED),
                first("listBeforeHelloGetsUnexpectedThenClose", encoded(new ListStreams("", 10)), UNEXPECTED),
                first("withdrawBeforeHelloGetsUnexpectedThenClose", encoded(new Withdraw(ID)), UNEXPECTED),
                first("pingBeforeHelloGetsUnexpectedThenClose", encoded(EmptyMessage.PING), UNEXPECTED),
                afterHello("secondHelloGetsUnexpectedThenClose", encoded(hello(LISTEN_PORT)), UNEXPECTED),
                afterHello("welcomeSentByAPeerGetsUnexpectedThenClose",
                        encoded(new Welcome(7, new InetSocketAddress("127.0.0.1", 1))), UNEXPECTED),
                afterHello("peerProtocolRequestOnTrackerSessionGetsUnexpectedThenClose",
                        encoded(IndexMessage.request(0)), UNEXPECTED),
                afterHello("answerTypePeersSentToTrackerGetsUnexpectedThenClose", encoded(Peers.NOT_FOUND), UNEXPECTED),
                // ---- HELLO ----
                first("helloWithBadMagicGetsBadHelloThenClose", frame(HELLO, helloWith(0, 'X')), BAD_HELLO),
                first("helloWithVersionZeroGetsBadHelloThenClose", frame(HELLO, helloWith(4, 0)), BAD_HELLO),
                first("helloWithNextVersionGetsBadHelloThenClose", frame(HELLO, helloWith(4, Wire.VERSION + 1)),
                        BAD_HELLO),
                first("helloWithVersion255GetsBadHelloThenClose", frame(HELLO, helloWith(4, 255)), BAD_HELLO),
                first("helloWithTrackerRoleGetsBadHelloThenClose",
                        encoded(new Hello(Role.TRACKER, RawClient.PEER_ID, LISTEN_PORT, null)), BAD_HELLO),
                first("helloWithRoleZeroGetsBadHelloThenClose", frame(HELLO, helloWith(5, 0)), BAD_HELLO),
                first("helloWithUnknownRoleGetsBadHelloThenClose", frame(HELLO, helloWith(5, 9)), BAD_HELLO),
                // the id a HELLO claims must be the one its handshake proved: nobody registers under another's id
                first("helloClaimingAnotherIdThanItsHandshakeProvedGetsAuthenticationThenClose",
                        encoded(new Hello(Role.SERVER, PeerId.random(), LISTEN_PORT, null)), AUTHENTICATION),
                first("emptyHelloGetsMalformedThenClose", frame(HELLO, new byte[0]), MALFORMED),
                first("helloWithOnlyMagicGetsMalformedThenClose", frame(HELLO, cut(good, 4)), MALFORMED),
                first("helloCutInsidePeerIdGetsMalformedThenClose", frame(HELLO, cut(good, 12)), MALFORMED),
                first("helloWithoutHasContentByteGetsMalformedThenClose", frame(HELLO, cut(good, good.length - 1)),
                        MALFORMED),
                first("helloWithHasContentTwoGetsMalformedThenClose", frame(HELLO, helloWith(good.length - 1, 2)),
                        MALFORMED),
                first("helloClaimingContentIdButMissingItGetsMalformedThenClose",
                        frame(HELLO, helloWith(good.length - 1, 1)), MALFORMED),
                first("helloWithTrailingByteGetsMalformedThenClose", frame(HELLO, plus(good, 1)), MALFORMED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHandshakes")
    @Timeout(30)
    void badInputGetsItsErrorThenCloseAndLeavesNothingBehind(BadInput badInput) throws Exception {
        assertAnsweredLeavingNothingBehind(badInput);
    }
}
