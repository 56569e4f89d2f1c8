package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Loopback.ANY_PORT;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.Loopback.Recorder;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;

/** The HELLO deadline of {@link Limits}, met by the handler, on a fake clock over real loopback sockets. */
@Timeout(60)
class HelloDeadlineTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Limits LIMITS = Limits.CONTROL.withIdleTimeoutMillis(60_000).withHelloTimeoutMillis(1_000);

    private final AtomicLong now = new AtomicLong(1_000 * MS);

    /** Takes a PING as this test's HELLO, when {@code greets}; records every frame. */
    static final class Greeted extends Recorder {
        private final boolean greets;

        Greeted(boolean greets) {
            this.greets = greets;
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            super.onFrame(type, payload);
            if (greets && type == MessageType.PING.code()) {
                connection.helloAccepted();
            }
        }
    }

    /** Sends a PING at 900 ms and lets the server take it, then moves the clock to {@code atMillis}. */
    private Connection pingThenWait(EventLoop loop, RawClient client, SocketChannel accepted, Recorder server,
                                    long atMillis) throws Exception {
        Connection c = loop.register(accepted, server, LIMITS);
        now.addAndGet(900 * MS);
        client.send(EmptyMessage.PING);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.frames.isEmpty() && System.nanoTime() < deadline) {
            loop.runOnce(10);
        }
        assertEquals(1, server.frames.size(), "the PING arrived");
        assertTrue(c.isOpen(), "900 ms is within the deadline");
        now.addAndGet((atMillis - 900) * MS);
        loop.runOnce(0);
        return c;
    }

    @Test
    void aConnectionThatSendsButNeverSaysHelloIsClosedAtTheDeadline() throws Exception {
        Greeted server = new Greeted(false);
        try (EventLoop loop = new EventLoop("hello", now::get);
             ServerSocketChannel listener = ServerSocketChannel.open().bind(ANY_PORT);
             RawClient client = RawClient.connect((InetSocketAddress) listener.getLocalAddress())) {
            Connection c = pingThenWait(loop, client, listener.accept(), server, 1_000);
            assertEquals(Connection.State.CLOSED, c.state(), "not idle, yet past the HELLO deadline");
            assertEquals("TIMEOUT: hello: none within 1000 ms (expected: HELLO first)", server.closeReason);
            assertEquals("hello: none within 1000 ms (expected: HELLO first)",
                    client.expectErrorThenEof(ErrorCode.TIMEOUT).message());
        }
    }

    @Test
    void aConnectionWhoseHandlerAcceptedHelloOutlivesTheDeadline() throws Exception {
        Greeted server = new Greeted(true);
        try (EventLoop loop = new EventLoop("hello", now::get);
             ServerSocketChannel listener = ServerSocketChannel.open().bind(ANY_PORT);
             RawClient client = RawClient.connect((InetSocketAddress) listener.getLocalAddress())) {
            Connection c = pingThenWait(loop, client, listener.accept(), server, 5_000);
            assertTrue(c.isOpen(), "HELLO accepted: only the idle timeout bounds it now");
        }
    }

    @Test
    void controlLimitsSetNoHelloDeadlineAndANegativeOneIsRefused() {
        assertEquals(0, Limits.CONTROL.helloTimeoutMillis());
        assertThrows(IllegalArgumentException.class, () -> Limits.CONTROL.withHelloTimeoutMillis(-1));
    }
}
