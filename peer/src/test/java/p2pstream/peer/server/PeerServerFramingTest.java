package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.WireBytes.cut;
import static p2pstream.common.net.WireBytes.encoded;
import static p2pstream.common.net.WireBytes.frame;
import static p2pstream.common.net.WireBytes.u32;
import static p2pstream.common.wire.ErrorCode.FRAME_TOO_LARGE;
import static p2pstream.common.wire.ErrorCode.MALFORMED;
import static p2pstream.common.wire.ErrorCode.UNKNOWN_TYPE;
import static p2pstream.peer.server.PeerBadInput.afterHello;
import static p2pstream.peer.server.PeerBadInput.first;
import static p2pstream.peer.server.PeerSteps.checkChunk;
import static p2pstream.peer.server.PeerSteps.fetchAll;
import static p2pstream.peer.server.PeerSteps.peerHello;

import java.nio.ByteBuffer;
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
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Wire;

/**
 * Bad framing against a real peer-server: length prefixes out of range (a chunk-sized frame included),
 * unknown type bytes, frames cut short by a close, and resets in the middle of chunks. The bad connection gets
 * its ERROR (or none) and a close; a good client keeps getting chunks.
 */
class PeerServerFramingTest extends PeerServerFixture {

    static Stream<Named<PeerBadInput>> badFrames() {
        return Stream.of(
                first("twoGibLengthPrefixGetsFrameTooLargeThenClose", m -> u32(0x80000000L), FRAME_TOO_LARGE),
                first("maxUint32LengthPrefixGetsFrameTooLargeThenClose", m -> u32(0xFFFFFFFFL), FRAME_TOO_LARGE),
                afterHello("frameOneOverTheControlLimitGetsFrameTooLargeThenClose",
                        m -> u32(Wire.MAX_CONTROL_FRAME_BYTES + 1), FRAME_TOO_LARGE),
                afterHello("twoGibLengthPrefixAfterHelloGetsFrameTooLargeThenClose", m -> u32(0x80000000L),
                        FRAME_TOO_LARGE),
                afterHello("chunkSizedFrameSentToServerGetsFrameTooLargeThenClose", m -> u32(5 + m.chunkSize()),
                        FRAME_TOO_LARGE),
                first("zeroLengthFrameGetsMalformedThenClose", m -> u32(0), MALFORMED),
                afterHello("zeroLengthFrameAfterHelloGetsMalformedThenClose", m -> u32(0), MALFORMED),
                // ---- unknown types ----
                first("unknownTypeAsFirstFrameGetsUnknownTypeThenClose", m -> frame(0x7f, new byte[0]), UNKNOWN_TYPE),
                afterHello("unknownTypeAfterHelloGetsUnknownTypeThenClose", m -> frame(0x7f, new byte[4]),
                        UNKNOWN_TYPE),
                afterHello("typeFfAfterHelloGetsUnknownTypeThenClose", m -> frame(0xff, new byte[0]), UNKNOWN_TYPE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFrames")
    @Timeout(30)
    void badInputGetsItsErrorThenCloseWhileAGoodClientKeepsGettingChunks(PeerBadInput badInput) throws Exception {
        assertAnsweredWhileAGoodClientKeepsGettingChunks(badInput);
    }

    // ---- truncated frames ----

    static Stream<Arguments> truncations() {
        return WireBytes.truncations(List.of(hello(UNKNOWN_ID), IndexMessage.request(0), IndexMessage.cancel(0),
                IndexMessage.have(0), EmptyMessage.PING));
    }

    @ParameterizedTest(name = "truncated {0} cut after {2} bytes then close: server closes, good client unaffected")
    @MethodSource("truncations")
    @Timeout(30)
    void truncatedFrameFollowedByCloseIsDroppedAndGoodClientUnaffected(MessageType type, Message m, int cutAt)
            throws Exception {
        try (RawClient good = connect()) {
            peerHello(good, manifest);
            try (RawClient c = connect()) {
                Message sent = m;
                if (type == MessageType.HELLO) {
                    sent = hello(manifest.contentId());
                } else {
                    peerHello(c, manifest);
                }
                c.sendBytes(cut(encoded(sent), cutAt));
                c.shutdownOutput();
                for (RawClient.Frame f : c.readUntilClosed(false).frames()) {
                    assertEquals(MessageType.ERROR.code(), f.type(), "only an ERROR may come back: " + f.describe());
                }
            }
            await("only the good client stays connected", () -> server.connectionCount() == 1);
            fetchAll(good, manifest, file);
        }
    }

    @Test
    @Timeout(30)
    void clientResetInTheMiddleOfChunksDoesNotDisturbTheServer() throws Exception {
        for (int i = 0; i < 10; i++) {
            RawClient c = connect();
            peerHello(c, manifest);
            ByteBuffer b = ByteBuffer.allocate(100 * (Frames.HEADER_BYTES + 4));
            for (int k = 0; k < 100; k++) {
                Frames.encode(IndexMessage.request(k % manifest.chunkCount()), b);
            }
            c.sendBytes(b.array());
            checkChunk(c.read(), manifest, file);
            c.abort();
        }
        await("reset connections are closed", () -> server.connectionCount() == 0);
        try (RawClient good = connect()) {
            peerHello(good, manifest);
            fetchAll(good, manifest, file);
        }
    }
}
