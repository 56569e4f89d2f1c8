package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static p2pstream.common.net.WireBytes.encoded;
import static p2pstream.common.net.WireBytes.frame;
import static p2pstream.common.wire.ErrorCode.MALFORMED;
import static p2pstream.common.wire.ErrorCode.OUT_OF_RANGE;
import static p2pstream.peer.server.PeerBadInput.afterHello;
import static p2pstream.peer.server.PeerBadInput.named;
import static p2pstream.peer.server.PeerSteps.checkChunk;
import static p2pstream.peer.server.PeerSteps.peerHello;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.peer.store.Manifest;

/**
 * Chunk indexes and index-shaped payloads a peer-server refuses (REQUEST, CANCEL, HAVE, BITFIELD, PING):
 * out of range gets OUT_OF_RANGE, mis-shaped gets MALFORMED, each then a close while a good client keeps
 * getting chunks.
 */
class PeerServerChunkIndexTest extends PeerServerFixture {

    /** A BITFIELD of {@code m}'s length with every bit set, spare bits included. */
    private static byte[] bitfieldWithSpareBitsSet(Manifest m) {
        if (m.chunkCount() % 8 == 0) {
            fail("test needs a chunk count that is not a multiple of 8: " + m.chunkCount());
        }
        byte[] bits = new byte[(m.chunkCount() + 7) / 8];
        Arrays.fill(bits, (byte) 0xff);
        return frame(MessageType.BITFIELD.code(), bits);
    }

    static Stream<Named<PeerBadInput>> badIndexes() {
        int request = MessageType.REQUEST.code();
        return Stream.of(
                afterHello("requestOfIndexEqualToChunkCountGetsOutOfRangeThenClose",
                        m -> encoded(IndexMessage.request(m.chunkCount())), OUT_OF_RANGE),
                afterHello("requestOfMaxIntIndexGetsOutOfRangeThenClose",
                        m -> encoded(IndexMessage.request(Integer.MAX_VALUE)), OUT_OF_RANGE),
                afterHello("requestOfIndexWithHighBitSetGetsMalformedThenClose",
                        m -> encoded(IndexMessage.request(Integer.MIN_VALUE)), MALFORMED),
                named("goodRequestThenOutOfRangeRequestGetsTheChunkThenOutOfRangeThenClose", (c, m, f) -> {
                    peerHello(c, m);
                    c.send(IndexMessage.request(1), IndexMessage.request(m.chunkCount() + 5));
                    assertEquals(1, checkChunk(c.read(), m, f));
                    c.expectErrorThenEof(OUT_OF_RANGE);
                }),
                afterHello("requestWithTrailingBytesGetsMalformedThenClose", m -> frame(request, new byte[6]),
                        MALFORMED),
                afterHello("requestWithShortIndexGetsMalformedThenClose", m -> frame(request, new byte[3]), MALFORMED),
                afterHello("cancelOutOfRangeGetsOutOfRangeThenClose",
                        m -> encoded(IndexMessage.cancel(m.chunkCount())), OUT_OF_RANGE),
                afterHello("haveOutOfRangeGetsOutOfRangeThenClose", m -> encoded(IndexMessage.have(m.chunkCount())),
                        OUT_OF_RANGE),
                afterHello("bitfieldOfWrongLengthGetsMalformedThenClose",
                        m -> frame(MessageType.BITFIELD.code(), new byte[(m.chunkCount() + 7) / 8 + 1]), MALFORMED),
                afterHello("bitfieldWithSpareBitSetGetsMalformedThenClose",
                        PeerServerChunkIndexTest::bitfieldWithSpareBitsSet, MALFORMED),
                afterHello("pingWithPayloadGetsMalformedThenClose", m -> frame(MessageType.PING.code(), new byte[2]),
                        MALFORMED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badIndexes")
    @Timeout(30)
    void badInputGetsItsErrorThenCloseWhileAGoodClientKeepsGettingChunks(PeerBadInput badInput) throws Exception {
        assertAnsweredWhileAGoodClientKeepsGettingChunks(badInput);
    }
}
