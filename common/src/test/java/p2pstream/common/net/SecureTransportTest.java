package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.Loopback.ANY_PORT;
import static p2pstream.common.net.Loopback.onLoop;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.data.FileData;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Loopback.EchoHandler;
import p2pstream.common.net.Loopback.Recorder;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.MessageType;

/**
 * Two event loops with the secure transport on, talking through a relay that records every byte: frames and a
 * file region cross intact, and the relay sees none of their bytes; the same run in plaintext shows that it
 * would have. A relay that flips one bit ends the connection at that record, and nothing after it arrives.
 */
@Timeout(60)
class SecureTransportTest {
    private static final byte[] MARKER = "MARKER-stream-name-and-content".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    /**
     * A client loop and a server behind an {@link Acceptor}, with a relay in front of it; {@link #connect} makes one
     * connection through it.
     */
    private static final class Setup implements AutoCloseable {
        static final StaticKey SERVER_KEY = StaticKey.of(Identity.generate());
        final EventLoop clientLoop = new EventLoop("secure-client").start();
        final EventLoopGroup serverGroup = new EventLoopGroup("secure-server", 1);
        final Recorder client = new Recorder();
        final EchoHandler server = new EchoHandler();
        final Acceptor acceptor;
        final RecordingRelay relay;
        StaticKey clientKey;
        PeerId expected;

        /** @param secure which ends have the secure transport on: "", "server" or "both" */
        Setup(String secure, long flipAtAnswerByte) throws IOException {
            acceptor = Acceptor.open(serverGroup, ANY_PORT, () -> server, Limits.CONTROL, 4, 4, null,
                    Acceptor.ERROR_FRAME, secure.isEmpty() ? null : SERVER_KEY);
            relay = new RecordingRelay(acceptor.localAddress(), flipAtAnswerByte);
            if (secure.equals("both")) {
                clientKey = StaticKey.of(Identity.generate());
            }
        }

        Setup expecting(PeerId id) {
            expected = id;
            return this;
        }

        Setup connect() throws Exception {
            onLoop(clientLoop, () -> clientLoop.connect(relay.address(), client, Limits.CONTROL, clientKey,
                    expected));
            await(client.opened, "client open");
            await(server.opened, "server open");
            return this;
        }

        void clientSends(Message... messages) throws Exception {
            onLoop(clientLoop, () -> {
                for (Message m : messages) {
                    client.connection.send(m);
                }
                return null;
            });
        }

        @Override
        public void close() throws IOException {
            relay.close();
            acceptor.close();
            serverGroup.close();
            clientLoop.close();
        }
    }

    @Test
    void quietSecureConnectionsHoldNoRecordBuffers() throws Exception {
        int connections = 40;
        try (EventLoopGroup group = new EventLoopGroup("quiet-server", 1);
             Acceptor acceptor = Acceptor.open(group, ANY_PORT, EchoHandler::new, Limits.CONTROL, connections,
                     connections, null, Acceptor.ERROR_FRAME, Setup.SERVER_KEY)) {
            EventLoop loop = group.loops().get(0);
            List<RawClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    RawClient c = RawClient.secure(acceptor.localAddress());
                    clients.add(c);
                    c.send(EmptyMessage.PING);
                    assertEquals(MessageType.PONG.code(), c.read().type());
                }
                long allocated = onLoop(loop, () -> loop.recordBuffers().allocated());
                int spare = onLoop(loop, () -> loop.recordBuffers().spareCount());
                // each connection took buffers for its handshake and its PONG and gave them back
                assertTrue(allocated <= 4, "record buffers made for " + connections + " quiet connections: "
                        + allocated);
                assertEquals(allocated, spare, "every buffer back in the pool");
                assertEquals(0, onLoop(loop, () -> loop.recordBuffers().batchesAllocated()),
                        "a bulk transfer's batch buffers taken by a quiet connection");
            } finally {
                for (RawClient c : clients) {
                    c.close();
                }
            }
        }
    }

    private static byte[] markerText(int bytes) {
        byte[] out = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            out[i] = MARKER[i % MARKER.length];
        }
        return out;
    }

    /** Sends frames both ways and a file region from the server; returns what the relay recorded. */
    private byte[] exchange(boolean secure) throws Exception {
        byte[] manifest = markerText(60_000); // several records
        Path file = dir.resolve(secure ? "secure-frame" : "plain-frame");
        Files.write(file, Frames.encode(new ManifestMessage(markerText(50_000))).array());
        try (Setup setup = new Setup(secure ? "both" : "", -1).connect();
             FileChannel region = FileChannel.open(file)) {
            setup.clientSends(EmptyMessage.PING, new ManifestMessage(manifest));
            assertEquals(MessageType.PONG.code(), setup.client.take().type());
            RawClient.Frame echo = setup.client.take();
            assertArrayEquals(manifest, echo.payload(), "a frame of several records, both ways");
            onLoop(setup.server.connection.loop(), () -> {
                setup.server.connection.send(new FileData(region, 0, Files.size(file)));
                return null;
            });
            assertArrayEquals(markerText(50_000), setup.client.take().payload(), "a file region, sealed too");
            return setup.relay.recorded();
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void framesAndFileRegionsCrossEncryptedAndTheRelaySeesNoneOfTheirBytes() throws Exception {
        byte[] plain = exchange(false);
        assertTrue(contains(plain, MARKER), "the recorder sees the marker in plaintext: it works");
        byte[] secure = exchange(true);
        assertTrue(secure.length > 170_000, "everything went through the relay: " + secure.length + " bytes");
        assertFalse(contains(secure, MARKER), "no marker in what the relay recorded");
        assertFalse(contains(secure, "MARKER".getBytes(StandardCharsets.US_ASCII)), "not even a part of it");
    }

    @Test
    void aFlippedBitEndsTheConnectionAtItsRecordAndNothingOfItArrives() throws Exception {
        // past the handshake's 196 bytes and the PONG's record, into the echo's second record
        try (Setup setup = new Setup("both", 20_000).expecting(Setup.SERVER_KEY.peerId()).connect()) {
            setup.clientSends(EmptyMessage.PING, new ManifestMessage(markerText(60_000)));
            assertEquals(MessageType.PONG.code(), setup.client.take().type());
            assertTrue(setup.client.closed.await(Loopback.WAIT_MILLIS, TimeUnit.MILLISECONDS), "client closed");
            assertNotNull(setup.client.closeReason);
            assertTrue(setup.client.closeReason.contains("AUTHENTICATION: record "), setup.client.closeReason);
            assertTrue(setup.client.frames.isEmpty(), "nothing of the echo, cut at its second record, arrived");
        }
    }

    @Test
    void aPlaintextPeerCannotTalkToASecureOne() throws Exception {
        try (Setup setup = new Setup("server", -1).connect()) {
            setup.clientSends(new ManifestMessage(markerText(100)));
            await(setup.server.closed, "the secure side refuses a plaintext frame as a handshake message");
            assertTrue(setup.server.frames.isEmpty());
            assertTrue(setup.server.closeReason.startsWith("read failed: "), setup.server.closeReason);
        }
    }

    @Test
    void aServerWithAnotherIdThanTheOneExpectedIsRefused() throws Exception {
        PeerId someoneElse = Identity.generate().peerId();
        try (Setup setup = new Setup("both", -1).expecting(someoneElse)) {
            onLoop(setup.clientLoop, () -> setup.clientLoop.connect(setup.relay.address(), setup.client,
                    Limits.CONTROL, setup.clientKey, someoneElse));
            await(setup.client.closed, "the client refuses the server");
            assertEquals("read failed: AUTHENTICATION: peer id: " + Setup.SERVER_KEY.peerId().text() + " (expected: "
                    + someoneElse.text() + ", the id this peer was named by)", setup.client.closeReason);
            onLoop(setup.clientLoop, () -> {
                setup.client.connection.send(EmptyMessage.PING);
                return null;
            });
            assertTrue(setup.server.frames.isEmpty(), "nothing was sent to it");
        }
    }
}
