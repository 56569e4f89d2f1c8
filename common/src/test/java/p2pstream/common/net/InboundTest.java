package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.Loopback.ANY_PORT;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.data.BufferData;
import p2pstream.common.net.Loopback.Recorder;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;

/**
 * A connection carries a protocol other than frames through its own {@link Inbound}: a line protocol here, as an
 * HTTP request reader would, on real loopback sockets.
 */
@Timeout(60)
class InboundTest {
    private static final int MAX_LINE_BYTES = 8 * 1024;

    private EventLoopGroup group;

    @AfterEach
    void stop() {
        if (group != null) {
            group.close();
        }
    }

    /** Answers each line with the line in upper case; a line has no length, so it answers its largest. */
    static final class UpperCaseLines implements Inbound {
        private final Connection connection;

        UpperCaseLines(Connection connection) {
            this.connection = connection;
        }

        @Override
        public boolean next(ByteBuffer in) {
            for (int i = in.position(); i < in.limit(); i++) {
                if (in.get(i) == '\n') {
                    byte[] line = new byte[i + 1 - in.position()];
                    in.get(line);
                    String upper = new String(line, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
                    connection.send(BufferData.of(ByteBuffer.wrap(upper.getBytes(StandardCharsets.US_ASCII))));
                    return true;
                }
            }
            return false;
        }

        @Override
        public int nextUnitBytes(ByteBuffer in) throws ProtocolException {
            if (in.remaining() >= MAX_LINE_BYTES) {
                throw ProtocolException.malformed("line: " + in.remaining() + " bytes without an end (expected: < "
                        + MAX_LINE_BYTES + ")");
            }
            return MAX_LINE_BYTES;
        }
    }

    /** Speaks frames until the first PING, answers it, and speaks lines from then on. */
    static final class UpgradeOnPing extends Recorder {
        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            super.onFrame(type, payload);
            connection.send(EmptyMessage.PONG);
            connection.inbound(new UpperCaseLines(connection));
        }
    }

    private RawClient connect(Supplier<ConnectionHandler> handlers) throws Exception {
        group = new EventLoopGroup("inbound", 1);
        Acceptor acceptor = Acceptor.open(group, ANY_PORT, handlers, Limits.CONTROL.withMaxFrameBytes(MAX_LINE_BYTES),
                10, null);
        return RawClient.connect(acceptor.localAddress());
    }

    private static String read(RawClient client, int bytes) throws Exception {
        byte[] b = new byte[bytes];
        client.readFully(b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void aConnectionSpeaksLinesThroughItsOwnInbound() throws Exception {
        try (RawClient client = connect(() -> new Recorder() {
            @Override
            public void onOpen(Connection c) {
                super.onOpen(c);
                c.inbound(new UpperCaseLines(c));
            }
        })) {
            client.sendBytes("hello\nwor".getBytes(StandardCharsets.US_ASCII));
            assertEquals("HELLO\n", read(client, 6));
            client.sendBytes("ld\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("WORLD\n", read(client, 6));

            String longLine = "x".repeat(6_000) + "\n"; // three times the first read buffer
            client.sendBytes(longLine.getBytes(StandardCharsets.US_ASCII));
            assertEquals(longLine.toUpperCase(Locale.ROOT), read(client, longLine.length()));

            client.sendBytes("y".repeat(MAX_LINE_BYTES).getBytes(StandardCharsets.US_ASCII));
            String message = client.expectErrorThenEof(ErrorCode.MALFORMED).message();
            assertTrue(message.startsWith("line: " + MAX_LINE_BYTES + " bytes without an end"), message);
        }
    }

    @Test
    void bytesReceivedBehindTheLastFrameGoToTheInboundThatTakesOver() throws Exception {
        UpgradeOnPing server = new UpgradeOnPing();
        try (RawClient client = connect(() -> server)) {
            byte[] ping = Frames.encode(EmptyMessage.PING).array();
            byte[] line = "abc\n".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer both = ByteBuffer.allocate(ping.length + line.length).put(ping).put(line);
            client.sendBytes(both.array()); // one write: the line usually waits in the buffer behind the frame
            assertEquals(MessageType.PONG.code(), client.read().type());
            assertEquals("ABC\n", read(client, 4));
            await("one frame seen", () -> server.frames.size() == 1);
        }
    }
}
