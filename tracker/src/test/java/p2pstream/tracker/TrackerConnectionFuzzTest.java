package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pstream.common.fuzz.ConnectionFuzz;
import p2pstream.common.fuzz.Draw;
import p2pstream.common.fuzz.ValidMessages;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.WireBytes;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Welcome;

/**
 * Random and damaged tracker sessions against a real tracker on loopback ({@link ConnectionFuzz}): each connection
 * gets normal answers or one ERROR then EOF, never a hang; a good session keeps being answered throughout, and
 * nothing is left behind. {@code -Dfuzz.connection.tries} sets the number of connections.
 */
@Tag("fuzz")
class TrackerConnectionFuzzTest extends TrackerFixture {

    /** Mostly a HELLO first, then tracker requests, sometimes a message of another connection kind. */
    static List<byte[]> session(Draw draw) {
        List<byte[]> frames = new ArrayList<>();
        if (!draw.oneIn(8)) {
            Role role = draw.oneIn(8) ? Role.TRACKER : draw.bool() ? Role.SERVER : Role.CLIENT;
            frames.add(WireBytes.encoded(new Hello(role, helloId(draw), ValidMessages.port(draw), null)));
        }
        for (int i = draw.between(0, 5); i > 0; i--) {
            Message m = switch (draw.below(8)) {
                case 0, 1 -> ValidMessages.announce(draw);
                case 2 -> ValidMessages.withdraw(draw);
                case 3 -> ValidMessages.list(draw);
                case 4 -> ValidMessages.lookup(draw);
                case 5 -> ValidMessages.empty(draw);
                case 6 -> EmptyMessage.PING;
                default -> ValidMessages.index(draw);
            };
            frames.add(WireBytes.encoded(m));
        }
        return frames;
    }

    /** Mostly the id the client's handshake proves, so sessions get past HELLO; sometimes another (refused). */
    static PeerId helloId(Draw draw) {
        return draw.oneIn(8) ? ValidMessages.peerId(draw) : RawClient.PEER_ID;
    }

    static void checkAnswer(RawClient.Frame f) throws ProtocolException {
        MessageType t = MessageType.of(f.type());
        switch (t) {
            case WELCOME -> Welcome.decode(f.buffer());
            case STREAMS -> Streams.decode(f.buffer());
            case PEERS -> Peers.decode(f.buffer());
            case PONG -> EmptyMessage.decode(t, f.buffer());
            default -> throw new AssertionError("not an answer a tracker sends: " + t);
        }
    }

    @Test
    void damagedSessionsGetAnswersOrOneErrorThenEofWhileAGoodSessionIsServed() {
        int tries = ConnectionFuzz.tries();
        ConnectionFuzz fuzz = new ConnectionFuzz(TrackerConnectionFuzzTest::session, INPUT_ERRORS,
                TrackerConnectionFuzzTest::checkAnswer);
        assertTimeoutPreemptively(Duration.ofMillis(60_000 + 1_000L * tries), () -> {
            try (RawClient good = connect()) {
                good.trackerHello(LISTEN_PORT);
                for (int i = 1; i <= tries; i++) {
                    try (RawClient c = connect()) {
                        fuzz.exchange(c, fuzz.nextStream());
                    }
                    if (i % 20 == 0 || i == tries) {
                        good.send(new ListStreams("", 10));
                        good.expect(MessageType.STREAMS, Streams::decode);
                        good.assertServed();
                    }
                }
                await("only the good session stays connected", () -> tracker.connectionCount() == 1);
            }
            awaitNoConnectionsAndNoEntries();
            assertGoodSessionsWork();
        });
        System.out.println("TrackerConnectionFuzzTest: " + fuzz.summary());
        assertTrue(fuzz.summary().contains("ERROR"), "some sessions are refused: " + fuzz.summary());
    }
}
