package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.peer.server.PeerSteps.fetchAll;
import static p2pstream.peer.server.PeerSteps.peerHello;

import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.HostileSends;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;

/**
 * A peer-server's deadlines, shortened to 1 s for HELLO and 2 s of silence after it (longer than the good
 * clients here wait while the HELLO deadline passes): a connection that never completes HELLO (silent, or
 * dribbling a byte at a time) and a session that falls silent after it are closed with TIMEOUT, while a good
 * client keeps getting chunks.
 */
class PeerServerTimeoutsTest extends PeerServerFixture {
    private static final long HELLO_MILLIS = 1_000;
    private static final long IDLE_MILLIS = 2_000;

    @Override
    PeerServer.Config configure(PeerServer.Config config) {
        return config.withTimeouts(HELLO_MILLIS, IDLE_MILLIS);
    }

    @HostileCase(value = "No HELLO: silent connection (peer-server, HELLO deadline 1 s)",
            expect = "ERROR TIMEOUT then EOF at the deadline; a good client keeps getting chunks",
            section = HostileCase.FLOODS)
    @Timeout(30)
    void silentConnectionGetsTimeoutAtTheHelloDeadline(Trial trial) throws Exception {
        try (RawClient good = connect()) {
            peerHello(good, manifest);
            long start = System.nanoTime();
            try (RawClient silent = connect()) {
                ErrorMessage e = silent.expectErrorThenEof(ErrorCode.TIMEOUT);
                assertTrue(e.message().contains("hello"), e.message());
            }
            trial.recordSecondsSince("seconds until closed", start);
            assertTrue(System.nanoTime() - start >= HELLO_MILLIS * 900_000, "closed before the deadline");
            fetchAll(good, manifest, file);
            await("only the good client left", () -> server.connectionCount() == 1);
        }
    }

    @HostileCase(value = "No HELLO: HELLO dribbled a byte every 100 ms, never idle (peer-server, HELLO deadline 1 s)",
            expect = "ERROR TIMEOUT then EOF at the deadline, before HELLO is complete;"
                    + " a good client keeps getting chunks", section = HostileCase.FLOODS)
    @Timeout(30)
    void helloDribbledAByteAtATimeIsCutOffAtTheHelloDeadline(Trial trial) throws Exception {
        byte[] hello = Frames.encode(hello(manifest.contentId())).array();
        try (RawClient good = connect(); RawClient slow = connect()) {
            peerHello(good, manifest);
            long start = System.nanoTime();
            AtomicInteger sent = HostileSends.dribble(slow, hello, 100_000_000L);
            ErrorMessage e = slow.expectErrorThenEof(ErrorCode.TIMEOUT);
            assertTrue(e.message().contains("hello"), e.message());
            trial.recordSecondsSince("seconds until closed", start);
            trial.record("HELLO bytes sent before the close", sent.get());
            assertTrue(System.nanoTime() - start >= HELLO_MILLIS * 900_000, "closed before the deadline");
            assertTrue(sent.get() < hello.length, "HELLO was complete: " + sent.get() + " bytes");
            fetchAll(good, manifest, file);
        }
        await("no connection left", () -> server.connectionCount() == 0);
    }

    @HostileCase(value = "Idle after HELLO: silent session (peer-server, idle timeout 2 s)",
            expect = "ERROR TIMEOUT then EOF after the idle time; a client that keeps fetching stays",
            section = HostileCase.FLOODS)
    @Timeout(30)
    void sessionSilentAfterHelloGetsTimeoutAfterTheIdleTime(Trial trial) throws Exception {
        try (RawClient good = connect(); RawClient idle = connect()) {
            peerHello(good, manifest);
            peerHello(idle, manifest);
            long start = System.nanoTime();
            int rounds = 0;
            idle.soTimeout(100);
            while (true) {
                fetchAll(good, manifest, file); // the good client is busy, the idle one silent
                rounds++;
                try {
                    idle.expectError(ErrorCode.TIMEOUT);
                    break;
                } catch (SocketTimeoutException notYet) {
                    assertTrue(System.nanoTime() - start < 10 * IDLE_MILLIS * 1_000_000,
                            "the idle session was never closed");
                }
            }
            idle.soTimeout(RawClient.READ_TIMEOUT_MILLIS);
            idle.expectEof();
            trial.recordSecondsSince("seconds until closed", start);
            trial.record("rounds the good client fetched meanwhile", rounds);
            assertTrue(System.nanoTime() - start >= IDLE_MILLIS * 900_000, "closed before the idle time");
            fetchAll(good, manifest, file);
            await("only the good client left", () -> server.connectionCount() == 1);
        }
    }
}
