package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.Loopback.ANY_PORT;
import static p2pstream.common.net.WireBytes.frame;
import static p2pstream.common.net.WireBytes.u32;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2pstream.common.net.Loopback.EchoHandler;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Wire;

/** Bad input on real loopback sockets: an ERROR frame with the right code, then a closed connection. */
@Timeout(30)
class ConnectionLimitsTest {
    private final List<EchoHandler> servers = new CopyOnWriteArrayList<>();
    private EventLoopGroup group;
    private Acceptor acceptor;

    private InetSocketAddress serve(Limits limits, int maxConnections) throws Exception {
        group = new EventLoopGroup("limits", 2);
        acceptor = Acceptor.open(group, ANY_PORT, () -> {
            EchoHandler h = new EchoHandler();
            servers.add(h);
            return h;
        }, limits, maxConnections, null);
        return acceptor.localAddress();
    }

    @AfterEach
    void stop() {
        if (acceptor != null) {
            acceptor.close();
        }
        if (group != null) {
            group.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x80000000, 0xFFFFFFFF, 0x7FFFFFFF, Wire.MAX_CONTROL_FRAME_BYTES + 1})
    void answersAnOversizedLengthPrefixWithFrameTooLargeAndKeepsServingOthers(int length) throws Exception {
        InetSocketAddress server = serve(Limits.CONTROL, 10);
        try (RawClient good = RawClient.connect(server); RawClient bad = RawClient.connect(server)) {
            good.assertServed();
            bad.sendBytes(ByteBuffer.allocate(4).putInt(length).array()); // only the prefix: nothing else to wait for
            ErrorMessage error = bad.expectErrorThenEof(ErrorCode.FRAME_TOO_LARGE);
            assertTrue(error.message().contains(Integer.toUnsignedString(length)), error.message());
            good.assertServed();
            good.send(IndexMessage.have(3));
            assertEquals(MessageType.HAVE.code(), good.read().type());
        }
        // the good connection closes at the same moment and may report first: wait for the bad one's reason itself
        await("the bad connection's onClose with FRAME_TOO_LARGE", () -> servers.stream()
                .anyMatch(h -> h.closeReason != null && h.closeReason.startsWith("FRAME_TOO_LARGE")));
    }

    @Test
    void answersAZeroLengthFrameWithMalformed() throws Exception {
        try (RawClient bad = RawClient.connect(serve(Limits.CONTROL, 10))) {
            bad.sendBytes(u32(0));
            bad.expectErrorThenEof(ErrorCode.MALFORMED);
        }
    }

    @Test
    void answersAHandlersProtocolExceptionWithItsCode() throws Exception {
        try (RawClient bad = RawClient.connect(serve(Limits.CONTROL, 10))) {
            bad.assertServed();
            bad.sendBytes(frame(0x7f, new byte[0])); // a well-framed message of unknown type
            bad.expectErrorThenEof(ErrorCode.UNKNOWN_TYPE);
        }
    }

    @Test
    void acceptsAFrameOfExactlyTheLimit() throws Exception {
        try (RawClient client = RawClient.connect(serve(Limits.CONTROL.withMaxFrameBytes(1000), 10))) {
            byte[] frame = ByteBuffer.allocate(4 + 1000).putInt(1000).put((byte) MessageType.MANIFEST.code()).array();
            client.sendBytes(frame);
            assertEquals(999, client.read().payload().length);
            client.sendBytes(ByteBuffer.allocate(4).putInt(1001).array());
            client.expectErrorThenEof(ErrorCode.FRAME_TOO_LARGE);
        }
    }

    @Test
    void closesASilentConnectionAfterTheIdleTimeoutOnAFakeClock() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        try (EventLoop loop = new EventLoop("idle", now::get);
             ServerSocketChannel listener = ServerSocketChannel.open().bind(ANY_PORT);
             RawClient client = RawClient.connect((InetSocketAddress) listener.getLocalAddress())) {
            SocketChannel accepted = listener.accept();
            loop.runOnce(0);
            EchoHandler server = new EchoHandler();
            Connection c = loop.register(accepted, server, Limits.CONTROL.withIdleTimeoutMillis(1_000));

            now.addAndGet(900 * ms);
            loop.runOnce(0);
            assertTrue(c.isOpen(), "900 ms of silence is within the timeout");
            client.send(EmptyMessage.PING);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.frames.isEmpty() && System.nanoTime() < deadline) {
                loop.runOnce(10);
            }
            assertEquals(MessageType.PONG.code(), client.read().type());

            now.addAndGet(900 * ms);
            loop.runOnce(0);
            assertTrue(c.isOpen(), "the PING restarted the idle time");
            now.addAndGet(300 * ms);
            loop.runOnce(0);
            assertEquals(Connection.State.CLOSED, c.state());
            assertTrue(server.closeReason.startsWith("TIMEOUT"), server.closeReason);
            client.expectErrorThenEof(ErrorCode.TIMEOUT);
        }
    }

    @Test
    void closesASilentConnectionAfterARealIdleTimeout() throws Exception {
        InetSocketAddress server = serve(Limits.CONTROL.withIdleTimeoutMillis(200), 10);
        try (RawClient silent = RawClient.connect(server)) {
            silent.expectErrorThenEof(ErrorCode.TIMEOUT);
        }
        await("connection count back to 0", () -> acceptor.connectionCount() == 0);
    }

    @Test
    void refusesConnectionsBeyondTheMaximumWithTooManyConnections() throws Exception {
        InetSocketAddress server = serve(Limits.CONTROL, 2);
        RawClient a = RawClient.connect(server);
        try (RawClient b = RawClient.connect(server)) {
            a.assertServed();
            b.assertServed();
            try (RawClient c = RawClient.connect(server)) {
                c.expectErrorThenEof(ErrorCode.TOO_MANY_CONNECTIONS);
            }
            assertEquals(2, acceptor.connectionCount());
            a.assertServed();
            b.assertServed();
            a.close();
            await("a's slot freed", () -> acceptor.connectionCount() == 1);
            try (RawClient d = RawClient.connect(server)) {
                d.assertServed();
            }
        } finally {
            a.close();
        }
    }

    @Test
    void closesAConnectionThatSendsTooManyFramesPerSecondWithRateLimited() throws Exception {
        int max = 10;
        InetSocketAddress server = serve(Limits.CONTROL.withMaxFramesPerSecond(max), 10);
        try (RawClient flood = RawClient.connect(server); RawClient calm = RawClient.connect(server)) {
            EmptyMessage[] pings = new EmptyMessage[max + 1];
            Arrays.fill(pings, EmptyMessage.PING);
            flood.send(pings);
            for (int i = 0; i < max; i++) {
                assertEquals(MessageType.PONG.code(), flood.read().type(), "frame " + i + " is within the limit");
            }
            flood.expectErrorThenEof(ErrorCode.RATE_LIMITED);
            calm.assertServed();
        }
    }

    /**
     * A flood that goes on after the limit leaves unread input on the server's socket, and a client that does
     * not read leaves the answers and the ERROR queued in the server's socket. Closing a socket with unread
     * input resets it and throws that queue away; the server half-closes and drains instead, so the client
     * still finds every answer, the ERROR, then EOF when it reads after the server has closed.
     */
    @Test
    void endsAFloodThatGoesOnAfterTheLimitWithRateLimitedThenEofNotAReset() throws Exception {
        int max = 10;
        InetSocketAddress server = serve(Limits.CONTROL.withMaxFramesPerSecond(max), 10);
        byte[] big = new byte[12_000]; // echoed: more than the client's window, less than the server's send buffer
        try (RawClient flood = RawClient.connect(server, Wire.MAX_CONTROL_FRAME_BYTES, 4 * 1024)) {
            flood.sendFrame(MessageType.MANIFEST.code(), big);
            EmptyMessage[] pings = new EmptyMessage[10_000]; // 50 KB: far more than the server reads once limited
            Arrays.fill(pings, EmptyMessage.PING);
            flood.send(pings);
            await("the server to close the flood", () -> servers.stream().anyMatch(h -> h.closeReason != null));
            assertEquals(MessageType.MANIFEST.code(), flood.read().type());
            for (int i = 1; i < max; i++) {
                assertEquals(MessageType.PONG.code(), flood.read().type(), "frame " + i + " is within the limit");
            }
            flood.expectErrorThenEof(ErrorCode.RATE_LIMITED);
        }
        await("the flood's connection closed", () -> acceptor.connectionCount() == 0);
    }

    @Test
    void rejectsInconsistentLimits() {
        assertThrows(IllegalArgumentException.class, () -> Limits.CONTROL.withMaxFrameBytes(0));
        assertThrows(IllegalArgumentException.class, () -> Limits.CONTROL.withIdleTimeoutMillis(0));
        assertThrows(IllegalArgumentException.class, () -> Limits.CONTROL.withMaxFramesPerSecond(0));
        assertThrows(IllegalArgumentException.class, () -> Limits.CONTROL.withWatermarks(10, 11));
        if (Limits.CONTROL.maxFrameBytes() != Wire.MAX_CONTROL_FRAME_BYTES) {
            fail("control frames are limited to " + Wire.MAX_CONTROL_FRAME_BYTES);
        }
    }
}
