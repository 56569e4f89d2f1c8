package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Role;

/** A connection that sends HELLO a byte at a time is never idle, yet must not hold a slot forever. */
class TrackerSlowHelloTest {
    private Tracker tracker;

    @BeforeEach
    void start() throws Exception {
        tracker = Tracker.start(Tracker.Config.loopback());
    }

    @AfterEach
    void stop() {
        tracker.close();
    }

    @Test
    @Timeout(40)
    void helloDribbledAByteAtATimeIsCutOffAtTheHelloDeadline() throws Exception {
        byte[] hello = Frames.encode(new Hello(Role.CLIENT, PeerId.random(), 0, null)).array();
        long start = System.nanoTime();
        try (RawClient slow = RawClient.connect(tracker.address())) {
            slow.soTimeout(30_000);
            Thread feeder = new Thread(() -> {
                try {
                    // one byte every 400 ms: the whole HELLO would take about 10 s, the idle timeout never fires
                    for (int i = 0; i < hello.length - 1; i++) {
                        slow.sendBytes(new byte[] {hello[i]});
                        LockSupport.parkNanos(400_000_000L); // the attack's pace, not a wait for a condition
                    }
                } catch (java.io.IOException expected) {
                    // the tracker closed the connection: what the test wants
                }
            });
            feeder.setDaemon(true);
            feeder.start();
            ErrorMessage e = slow.expectErrorThenEof(ErrorCode.TIMEOUT);
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertTrue(e.message().contains("hello"), e.message());
            assertTrue(seconds >= Tracker.HELLO_TIMEOUT_MILLIS / 1000 - 1, "cut off after " + seconds + " s");
        }
        assertEquals(0, tracker.sessionCount());
    }
}
