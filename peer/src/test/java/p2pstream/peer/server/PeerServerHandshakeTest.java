package p2pstream.peer.server;

import static p2pstream.common.net.WireBytes.cut;
import static p2pstream.common.net.WireBytes.encoded;
import static p2pstream.common.net.WireBytes.frame;
import static p2pstream.common.net.WireBytes.payload;
import static p2pstream.common.net.WireBytes.plus;
import static p2pstream.common.wire.ErrorCode.BAD_HELLO;
import static p2pstream.common.wire.ErrorCode.MALFORMED;
import static p2pstream.common.wire.ErrorCode.NOT_FOUND;
import static p2pstream.common.wire.ErrorCode.UNEXPECTED;
import static p2pstream.peer.server.PeerBadInput.afterHello;
import static p2pstream.peer.server.PeerBadInput.first;
import static p2pstream.peer.server.PeerBadInput.named;
import static p2pstream.peer.server.PeerSteps.peerHello;

import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.Wire;

/**
 * A peer-server's handshake under bad input: requests before HELLO, a second HELLO, tracker requests and
 * server-to-client frames on a peer connection, and HELLOs for unknown content or with a bad magic, version,
 * role or shape. Each gets its ERROR and a close while a good client keeps getting chunks.
 */
class PeerServerHandshakeTest extends PeerServerFixture {
    private static final int HELLO = MessageType.HELLO.code();

    /** A HELLO payload for {@code id} with one byte replaced. */
    private static byte[] helloWith(ContentId id, int offset, int value) {
        byte[] p = payload(hello(id));
        p[offset] = (byte) value;
        return frame(HELLO, p);
    }

    static Stream<Named<PeerBadInput>> badHandshakes() {
        return Stream.of(
                // ---- out of order, wrong protocol ----
                first("requestBeforeHelloGetsUnexpectedThenClose", m -> encoded(IndexMessage.request(0)), UNEXPECTED),
                first("cancelBeforeHelloGetsUnexpectedThenClose", m -> encoded(IndexMessage.cancel(0)), UNEXPECTED),
                first("pingBeforeHelloGetsUnexpectedThenClose", m -> encoded(EmptyMessage.PING), UNEXPECTED),
                first("haveAllBeforeHelloGetsUnexpectedThenClose", m -> encoded(EmptyMessage.HAVE_ALL), UNEXPECTED),
                afterHello("secondHelloGetsUnexpectedThenClose", m -> encoded(hello(m.contentId())), UNEXPECTED),
                afterHello("trackerAnnounceOnPeerConnectionGetsUnexpectedThenClose", m -> encoded(new Announce(
                        m.contentId(), m.name(), m.size(), m.chunkSize(), m.chunkCount(), m.chunkCount())), UNEXPECTED),
                afterHello("trackerLookupOnPeerConnectionGetsUnexpectedThenClose",
                        m -> encoded(Lookup.byContentId(m.contentId(), 5)), UNEXPECTED),
                afterHello("trackerListOnPeerConnectionGetsUnexpectedThenClose", m -> encoded(new ListStreams("", 5)),
                        UNEXPECTED),
                afterHello("chunkSentToServerGetsUnexpectedThenClose",
                        m -> frame(MessageType.CHUNK.code(), new byte[4 + 100]), UNEXPECTED),
                afterHello("manifestSentToServerGetsUnexpectedThenClose",
                        m -> encoded(new ManifestMessage(m.encoded())), UNEXPECTED),
                afterHello("rejectSentToServerGetsUnexpectedThenClose",
                        m -> encoded(new Reject(0, Reject.Reason.NOT_HELD)), UNEXPECTED),
                // docs/PROTOCOL.md section 1: whoever receives ERROR logs it and closes without answering
                named("errorSentToServerIsNotAnsweredAndTheServerCloses", (c, m, f) -> {
                    peerHello(c, m);
                    c.send(new ErrorMessage(ErrorCode.INTERNAL.code(), "client says bye"));
                    c.expectEof();
                }),
                // ---- HELLO ----
                first("helloForUnknownContentIdGetsNotFoundThenClose", m -> encoded(hello(UNKNOWN_ID)), NOT_FOUND),
                first("helloWithoutContentIdGetsUnexpectedThenClose", m -> encoded(hello(null)), UNEXPECTED),
                first("helloWithBadMagicGetsBadHelloThenClose", m -> helloWith(m.contentId(), 0, 'Q'), BAD_HELLO),
                first("helloWithBadVersionGetsBadHelloThenClose", m -> helloWith(m.contentId(), 4, Wire.VERSION + 1),
                        BAD_HELLO),
                first("helloWithUnknownRoleGetsBadHelloThenClose", m -> helloWith(m.contentId(), 5, 7), BAD_HELLO),
                first("helloWithContentIdCutShortGetsMalformedThenClose", m -> {
                    byte[] p = payload(hello(m.contentId()));
                    return frame(HELLO, cut(p, p.length - 10));
                }, MALFORMED),
                first("helloWithTrailingByteGetsMalformedThenClose",
                        m -> frame(HELLO, plus(payload(hello(m.contentId())), 1)), MALFORMED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHandshakes")
    @Timeout(30)
    void badInputGetsItsErrorThenCloseWhileAGoodClientKeepsGettingChunks(PeerBadInput badInput) throws Exception {
        assertAnsweredWhileAGoodClientKeepsGettingChunks(badInput);
    }
}
