package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.net.Socket;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.HostileSends;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.Role;

/**
 * Connections that never complete HELLO are closed at the tracker's HELLO deadline (shortened to 1 s here),
 * whether they are silent or dribble a byte at a time, and a session of the others is not disturbed.
 */
class TrackerTimeoutsTest {
    private static final long HELLO_MILLIS = 1_000;
    private Tracker tracker;

    @BeforeEach
    void start() throws Exception {
        tracker = Tracker.start(Tracker.Config.loopback().withHelloTimeoutMillis(HELLO_MILLIS));
    }

    @AfterEach
    void stop() {
        tracker.close();
    }

    @HostileCase(value = "No HELLO: silent connection (tracker, HELLO deadline 1 s)",
            expect = "ERROR TIMEOUT then EOF at the deadline; a good session stays served",
            section = HostileCase.FLOODS)
    @Timeout(30)
    void silentConnectionGetsTimeoutAtTheHelloDeadline(Trial trial) throws Exception {
        try (RawClient good = RawClient.secure(tracker.address())) {
            good.trackerHello(0);
            long start = System.nanoTime();
            try (RawClient silent = RawClient.secure(tracker.address())) {
                ErrorMessage e = silent.expectErrorThenEof(ErrorCode.TIMEOUT);
                assertTrue(e.message().contains("hello"), e.message());
            }
            trial.recordSecondsSince("seconds until closed", start);
            assertTrue(System.nanoTime() - start >= HELLO_MILLIS * 900_000, "closed before the deadline");
            good.assertServed();
            await("only the good session left", () -> tracker.connectionCount() == 1);
        }
    }

    @HostileCase(value = "A handshake begun and never finished: message 1, then silence (tracker, HELLO deadline 1 s)",
            expect = "message 2 and nothing else, then the connection closes at the deadline; a good session stays"
                    + " served", section = HostileCase.TRANSPORT)
    @Timeout(30)
    void aHandshakeLeftUnfinishedIsClosedAtTheHelloDeadline(Trial trial) throws Exception {
        try (RawClient good = RawClient.secure(tracker.address())) {
            good.trackerHello(0);
            long start = System.nanoTime();
            int answered;
            try (Socket s = new Socket(tracker.address().getAddress(), tracker.address().getPort())) {
                s.setSoTimeout(10_000);
                byte[] first = new byte[2 + 32];
                new Random(3).nextBytes(first); // an ephemeral key of random bytes after the length
                first[0] = 0;
                first[1] = 32;
                s.getOutputStream().write(first);
                answered = s.getInputStream().readAllBytes().length; // until the tracker closes
            }
            trial.recordSecondsSince("seconds until closed", start);
            assertEquals(2 + 194, answered, "the tracker's handshake message 2, and no frame");
            assertTrue(System.nanoTime() - start >= HELLO_MILLIS * 900_000, "closed before the deadline");
            good.assertServed();
            await("only the good session left", () -> tracker.connectionCount() == 1);
        }
    }

    @HostileCase(value = "No HELLO: HELLO dribbled a byte every 100 ms, never idle (tracker, HELLO deadline 1 s)",
            expect = "ERROR TIMEOUT then EOF at the deadline, before HELLO is complete", section = HostileCase.FLOODS)
    @Timeout(30)
    void helloDribbledAByteAtATimeIsCutOffAtTheHelloDeadline(Trial trial) throws Exception {
        byte[] hello = Frames.encode(new Hello(Role.CLIENT, RawClient.PEER_ID, 0, null)).array();
        AtomicInteger sent;
        long start = System.nanoTime();
        try (RawClient slow = RawClient.secure(tracker.address())) {
            // a byte every 100 ms: the whole HELLO would take seconds, the idle timeout never fires
            sent = HostileSends.dribble(slow, hello, 100_000_000L);
            ErrorMessage e = slow.expectErrorThenEof(ErrorCode.TIMEOUT);
            assertTrue(e.message().contains("hello"), e.message());
        }
        trial.recordSecondsSince("seconds until closed", start);
        trial.record("HELLO bytes sent before the close", sent.get());
        assertTrue(System.nanoTime() - start >= HELLO_MILLIS * 900_000, "closed before the deadline");
        assertTrue(sent.get() < hello.length, "HELLO was complete: " + sent.get() + " bytes");
        await("no connection left", () -> tracker.connectionCount() == 0);
        assertEquals(0, tracker.sessionCount());
    }
}
