package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.peer.server.PeerSteps.checkChunk;
import static p2pstream.peer.server.PeerSteps.fetch;
import static p2pstream.peer.server.PeerSteps.fetchAll;
import static p2pstream.peer.server.PeerSteps.peerHello;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pstream.common.fuzz.ConnectionFuzz;
import p2pstream.common.fuzz.Draw;
import p2pstream.common.fuzz.ValidMessages;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.WireBytes;
import p2pstream.common.wire.Bitfield;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.Role;

/**
 * Random and damaged peer sessions against a real peer-server on loopback ({@link ConnectionFuzz}): each connection
 * gets normal answers (chunks checked byte for byte) or one ERROR then EOF, never a hang; a good client keeps getting
 * chunks throughout. {@code -Dfuzz.connection.tries} sets the number of connections.
 */
@Tag("fuzz")
class PeerServerConnectionFuzzTest extends PeerServerFixture {

    /** Mostly a HELLO for the shared stream first, then requests and holdings, some out of range. */
    List<byte[]> session(Draw draw) {
        int count = manifest.chunkCount();
        List<byte[]> frames = new ArrayList<>();
        if (!draw.oneIn(8)) {
            ContentId wanted = draw.oneIn(8) ? ValidMessages.contentId(draw)
                    : draw.oneIn(16) ? null : manifest.contentId();
            Role role = draw.oneIn(8) ? Role.SERVER : Role.CLIENT;
            frames.add(
                    WireBytes.encoded(new Hello(role, helloId(draw), ValidMessages.port(draw), wanted)));
        }
        for (int i = draw.between(0, 6); i > 0; i--) {
            int index = draw.oneIn(8) ? ValidMessages.u31(draw) : draw.between(0, count);
            Message m = switch (draw.below(8)) {
                case 0, 1 -> IndexMessage.request(index);
                case 2 -> IndexMessage.cancel(index);
                case 3 -> IndexMessage.have(index);
                case 4 -> bitfield(draw, draw.oneIn(8) ? draw.between(0, count + 9) : count);
                case 5 -> ValidMessages.empty(draw);
                case 6 -> EmptyMessage.PING;
                default -> draw.bool() ? ValidMessages.reject(draw) : ValidMessages.announce(draw);
            };
            frames.add(WireBytes.encoded(m));
        }
        return frames;
    }

    static Bitfield bitfield(Draw draw, int count) {
        BitSet bits = new BitSet(count);
        for (int i = 0; i < count; i++) {
            if (draw.bool()) {
                bits.set(i);
            }
        }
        return new Bitfield(bits, count);
    }

    void checkAnswer(RawClient.Frame f) throws ProtocolException {
        MessageType t = MessageType.of(f.type());
        switch (t) {
            case HELLO -> Hello.decode(f.buffer());
            case MANIFEST -> assertTrue(Arrays.equals(manifest.encoded(), ManifestMessage.decode(f.buffer()).encoded()),
                    "MANIFEST is the shared stream's");
            case HAVE_ALL, PONG -> EmptyMessage.decode(t, f.buffer());
            case CHUNK -> checkChunk(f, manifest, file);
            case REJECT -> Reject.decode(f.buffer());
            default -> throw new AssertionError("not an answer a peer-server sends: " + t);
        }
    }

    /** Mostly the id the client's handshake proves, so sessions get past HELLO; sometimes another (refused). */
    static PeerId helloId(Draw draw) {
        return draw.oneIn(8) ? ValidMessages.peerId(draw) : RawClient.PEER_ID;
    }

    @Test
    void damagedSessionsGetAnswersOrOneErrorThenEofWhileAGoodClientGetsChunks() {
        int tries = ConnectionFuzz.tries();
        ConnectionFuzz fuzz = new ConnectionFuzz(this::session, INPUT_ERRORS, this::checkAnswer);
        assertTimeoutPreemptively(Duration.ofMillis(60_000 + 1_000L * tries), () -> {
            try (RawClient good = connect()) {
                peerHello(good, manifest);
                for (int i = 1; i <= tries; i++) {
                    try (RawClient c = connect()) {
                        fuzz.exchange(c, fuzz.nextStream());
                    }
                    if (i % 20 == 0) {
                        fetch(good, manifest, file, manifest.chunkCount() - 1, 0);
                    }
                }
                fetchAll(good, manifest, file);
                await("only the good client stays connected", () -> server.connectionCount() == 1);
            }
            await("no connections left", () -> server.connectionCount() == 0);
        });
        System.out.println("PeerServerConnectionFuzzTest: " + fuzz.summary());
        assertTrue(fuzz.summary().contains("ERROR"), "some sessions are refused: " + fuzz.summary());
    }
}
