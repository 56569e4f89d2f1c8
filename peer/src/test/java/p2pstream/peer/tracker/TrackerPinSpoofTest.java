package p2pstream.peer.tracker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.EventLoop;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Role;
import p2pstream.peer.swarm.StreamFailure;

/**
 * Whoever answers at a pinned tracker's address with an ERROR in clear (no handshake, nothing proved) cannot make the
 * client give up as if the tracker had proved another id: only the client's own handshake says so.
 */
@Timeout(30)
class TrackerPinSpoofTest {

    @Test
    void aClearErrorThatReadsLikeAWrongPeerIdIsNoIdentityRefusal() throws Exception {
        PeerId pinned = PeerId.random();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             EventLoop loop = new EventLoop("pin-spoof").start()) {
            Thread fake = new Thread(() -> answerInClear(listener), "fake-tracker");
            fake.setDaemon(true);
            fake.start();
            InetSocketAddress address = new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
            Security security = new Security(StaticKey.of(Identity.generate()), TrackerTrust.of(pinned, null));
            TrackerClient client = new TrackerClient(loop, address, security, Role.CLIENT, 0, true);
            AtomicBoolean refused = new AtomicBoolean();
            client.onIdentityRefused(e -> refused.set(true));
            client.start();
            try {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> client.list(new ListStreams("", 10)).get(20, TimeUnit.SECONDS));
                Throwable root = StreamFailure.root(e);
                assertFalse(root instanceof TrackerIdentityException, root.toString());
                // not even shown as the tracker's error: only a listener's TOO_MANY_CONNECTIONS is read in clear
                assertFalse(StreamFailure.rootMessage(e).contains("peer error"), StreamFailure.rootMessage(e));
                CompletableFuture<Void> drained = new CompletableFuture<>();
                loop.execute(() -> drained.complete(null)); // the listener would have been told on the loop
                drained.get(5, TimeUnit.SECONDS);
                assertFalse(refused.get(), "told of a wrong tracker id nobody proved");
            } finally {
                client.close();
            }
        }
    }

    @Test
    void aRefusalInClearThatArrivesInPiecesIsWaitedForWithoutHoldingTheLoop() throws Exception {
        byte[] refusal = bytes(Frames.encode(new ErrorMessage(ErrorCode.TOO_MANY_CONNECTIONS.code(), "full")));
        CountDownLatch headerSent = new CountDownLatch(1);
        CountDownLatch sendRest = new CountDownLatch(1);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             EventLoop loop = new EventLoop("pin-spoof").start()) {
            Thread fake = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    s.getInputStream().readNBytes(34);
                    OutputStream out = s.getOutputStream();
                    out.write(refusal, 0, 5); // length and type: the rest comes later
                    out.flush();
                    headerSent.countDown();
                    sendRest.await();
                    out.write(refusal, 5, refusal.length - 5);
                    out.flush();
                    s.shutdownOutput();
                    s.getInputStream().readAllBytes();
                } catch (Exception e) {
                    // the client went away: the assertions say what matters
                }
            }, "fake-listener");
            fake.setDaemon(true);
            fake.start();
            InetSocketAddress address = new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
            TrackerClient client = new TrackerClient(loop, address, Security.ephemeral(), Role.CLIENT, 0, true);
            client.start();
            try {
                CompletableFuture<?> listed = client.list(new ListStreams("", 10));
                assertTrue(headerSent.await(10, TimeUnit.SECONDS));
                for (int i = 0; i < 3; i++) { // the loop runs other work while the refusal is incomplete
                    CompletableFuture<Void> ran = new CompletableFuture<>();
                    loop.execute(() -> ran.complete(null));
                    ran.get(10, TimeUnit.SECONDS);
                }
                sendRest.countDown();
                ExecutionException e = assertThrows(ExecutionException.class, () -> listed.get(20, TimeUnit.SECONDS));
                assertTrue(StreamFailure.rootMessage(e).contains("peer error TOO_MANY_CONNECTIONS: full"),
                        StreamFailure.rootMessage(e));
            } finally {
                sendRest.countDown();
                client.close();
            }
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    /** Reads the handshake's first message and answers an ERROR frame in clear that names another peer id. */
    private static void answerInClear(ServerSocket listener) {
        try (Socket s = listener.accept()) {
            InputStream in = s.getInputStream();
            in.readNBytes(34); // <len:u16=32><e:32>
            ByteBuffer frame = Frames.encode(new ErrorMessage(ErrorCode.AUTHENTICATION.code(), "peer id: "
                    + PeerId.random().text() + " (expected: whatever the client pinned)"));
            byte[] bytes = new byte[frame.remaining()];
            frame.get(bytes);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            s.shutdownOutput();
            in.readAllBytes();
        } catch (Exception e) {
            // the client went away: the test's assertions say what matters
        }
    }
}
