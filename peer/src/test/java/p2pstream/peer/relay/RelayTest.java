package p2pstream.peer.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Limits;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.RecordingRelay;
import p2pstream.common.net.Trial;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.CircuitOrder;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Join;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Token;

/**
 * A relay on loopback: two ends the tracker named meet through it and run their own secure handshake, so what passes
 * the relay (recorded on the path) holds none of their bytes in clear; what the relay must refuse (a token nobody
 * ordered, a first frame other than JOIN, an end joining twice) gets a clear ERROR and a closed connection, and a
 * circuit past its byte limit is closed at both ends.
 */
class RelayTest {
    private static final String MARKER = "relayed-marker-that-must-not-be-seen-in-clear";
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private final StaticKey fetcherKey = StaticKey.of(Identity.generate());
    private final StaticKey holderKey = StaticKey.of(Identity.generate());

    @Test
    @Timeout(30)
    void twoEndsMeetThroughTheRelayAndItCarriesOnlyCiphertext() throws Exception {
        try (Relay relay = new Relay(ANY, Relay.Limit.DEFAULT, null);
             RecordingRelay path = new RecordingRelay(relay.address(), -1);
             EventLoopGroup ends = new EventLoopGroup("ends", 1)) {
            Token token = order(relay);
            EventLoop loop = ends.loops().get(0);
            Collected atHolder = new Collected();
            Collected atFetcher = new Collected();
            loop.execute(() -> {
                // the holder straight to the relay, the fetcher through a recorder on its path
                loop.connect(relay.address(), new EventLoop.Dialing(0, false, join(token, false)), atHolder,
                        Limits.CONTROL, holderKey, fetcherKey.peerId());
                Connection f = loop.connect(path.address(), new EventLoop.Dialing(0, true, join(token, true)),
                        atFetcher, Limits.CONTROL, fetcherKey, holderKey.peerId());
                f.send(new ListStreams(MARKER, 1));
            });
            await("the holder got the fetcher's frame", () -> !atHolder.frames.isEmpty());
            assertEquals(MessageType.LIST.code(), atHolder.frames.get(0));
            assertEquals(fetcherKey.peerId(), atHolder.connection.remotePeerId(), "the fetcher proved itself");
            String recorded = new String(path.recorded(), StandardCharsets.ISO_8859_1);
            assertFalse(recorded.contains(MARKER), "the path saw the frame only as ciphertext");
            assertTrue(path.recorded().length > 100, "the recorder saw the circuit's traffic");
        }
    }

    @HostileCase(value = "A JOIN to a relay with a token nobody ordered", expect = "ERROR NOT_FOUND, connection"
            + " closed, the relay carries on", section = HostileCase.TRANSPORT)
    void aTokenNobodyOrderedIsRefused(Trial trial) throws Exception {
        try (Relay relay = new Relay(ANY, Relay.Limit.DEFAULT, null)) {
            order(relay);
            try (RawClient stranger = RawClient.connect(relay.address())) {
                stranger.send(new Join(Token.random(), true));
                stranger.expectErrorThenEof(ErrorCode.NOT_FOUND);
            }
            try (RawClient early = RawClient.connect(relay.address())) {
                early.send(new ListStreams("", 1));
                early.expectErrorThenEof(ErrorCode.UNEXPECTED);
            }
            assertEquals(1, circuits(relay), "the ordered circuit still waits for its ends");
        }
    }

    @HostileCase(value = "A third party joining a relay circuit as an end that joined already", expect = "ERROR"
            + " FORBIDDEN, connection closed; the circuit is not taken over", section = HostileCase.TRANSPORT)
    void anEndJoiningTwiceIsForbidden(Trial trial) throws Exception {
        try (Relay relay = new Relay(ANY, Relay.Limit.DEFAULT, null);
             RawClient fetcher = RawClient.connect(relay.address());
             RawClient thief = RawClient.connect(relay.address())) {
            Token token = order(relay);
            fetcher.send(new Join(token, true));
            thief.send(new Join(token, true));
            thief.expectErrorThenEof(ErrorCode.FORBIDDEN);
        }
    }

    @HostileCase(value = "A relay circuit carrying more than its byte limit", expect = "both ends closed",
            section = HostileCase.FLOODS)
    void aCircuitPastItsByteLimitIsClosedAtBothEnds(Trial trial) throws Exception {
        try (Relay relay = new Relay(ANY, new Relay.Limit(4, 10_000, 60_000), null);
             RawClient fetcher = RawClient.connect(relay.address());
             RawClient holder = RawClient.connect(relay.address())) {
            Token token = order(relay);
            fetcher.send(new Join(token, true));
            holder.send(new Join(token, false));
            byte[] hello = "carried".getBytes(StandardCharsets.US_ASCII);
            fetcher.sendBytes(hello);
            byte[] got = new byte[hello.length];
            holder.readFully(got);
            assertEquals("carried", new String(got, StandardCharsets.US_ASCII), "bytes pass unread");
            fetcher.sendBytes(new byte[20_000]);
            assertTrue(readToEnd(holder) <= 20_000, "no more than was sent");
            readToEnd(fetcher);
            await("the circuit is forgotten", () -> circuits(relay) == 0);
        }
    }

    @Test
    @Timeout(30)
    void aCircuitPastItsTimeIsClosedAtBothEnds() throws Exception {
        try (Relay relay = new Relay(ANY, new Relay.Limit(4, 1 << 20, 300), null);
             RawClient fetcher = RawClient.connect(relay.address());
             RawClient holder = RawClient.connect(relay.address())) {
            Token token = order(relay);
            fetcher.send(new Join(token, true));
            holder.send(new Join(token, false));
            assertEquals(0, readToEnd(holder), "closed for its time, nothing carried");
            assertEquals(0, readToEnd(fetcher));
            await("the circuit is forgotten", () -> circuits(relay) == 0);
        }
    }

    /** Reads raw bytes until the relay closes the connection; returns how many. */
    private static long readToEnd(RawClient c) throws IOException {
        long n = 0;
        byte[] one = new byte[1];
        try {
            while (true) {
                c.readFully(one);
                n++;
            }
        } catch (EOFException | SocketException e) {
            return n; // closed, or reset because the client's own bytes were left unread
        }
    }

    private Token order(Relay relay) {
        Token token = Token.random();
        relay.order(new CircuitOrder(token, fetcherKey.peerId(), holderKey.peerId()));
        await("the order is taken", () -> circuits(relay) == 1);
        return token;
    }

    private static int circuits(Relay relay) {
        return relay.circuitCount();
    }

    private static byte[] join(Token token, boolean fetcher) {
        return Frames.encode(new Join(token, fetcher)).array();
    }

    /** The frame types an end received. */
    private static final class Collected implements ConnectionHandler {
        final List<Integer> frames = new CopyOnWriteArrayList<>();
        volatile Connection connection;

        @Override
        public void onOpen(Connection c) {
            connection = c;
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) {
            frames.add(type);
        }

        @Override
        public void onClose(String reason) {
        }
    }
}
