package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ProtocolException;

/** The per-connection frame-rate limit, on a fake clock. */
class FrameRateLimitTest {
    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(7_000 * MS);
    private final Clock clock = now::get;

    @Test
    void takesTheMaximumInOneSecondAndRefusesTheNextWithRateLimited() throws ProtocolException {
        FrameRateLimit limit = new FrameRateLimit(10, clock.nanoTime());
        for (int i = 0; i < 10; i++) {
            limit.onFrame(clock.nanoTime());
            now.addAndGet(MS);
        }
        ProtocolException e = assertThrows(ProtocolException.class, () -> limit.onFrame(clock.nanoTime()));
        assertEquals(ErrorCode.RATE_LIMITED, e.code());
        assertEquals("frames per second: 11 (expected: <= 10)", e.getMessage());
    }

    @Test
    void aWindowLastsExactlyOneSecond() throws ProtocolException {
        FrameRateLimit limit = new FrameRateLimit(3, clock.nanoTime());
        now.addAndGet(500 * MS);
        for (int i = 0; i < 3; i++) {
            limit.onFrame(clock.nanoTime());
        }
        now.addAndGet(499 * MS);
        assertThrows(ProtocolException.class, () -> limit.onFrame(clock.nanoTime()), "999 ms: the same window");
        now.addAndGet(MS);
        assertDoesNotThrow(() -> limit.onFrame(clock.nanoTime()), "1 s: a new window");
    }

    @Test
    void startsTheNextWindowAtTheFirstFrameAfterOneEnded() throws ProtocolException {
        FrameRateLimit limit = new FrameRateLimit(2, clock.nanoTime());
        limit.onFrame(clock.nanoTime());
        now.addAndGet(1_200 * MS); // the first window ended 200 ms ago: a new one starts here, not at 1 s
        limit.onFrame(clock.nanoTime());
        now.addAndGet(900 * MS);
        limit.onFrame(clock.nanoTime());
        assertThrows(ProtocolException.class, () -> limit.onFrame(clock.nanoTime()), "2.1 s: the window of 1.2 s");
        now.addAndGet(100 * MS);
        assertDoesNotThrow(() -> limit.onFrame(clock.nanoTime()), "2.2 s: a new window");
    }

    @Test
    void neverRefusesFramesThatArriveAtTheLimitsRateForAMinute() {
        FrameRateLimit limit = new FrameRateLimit(100, clock.nanoTime());
        assertDoesNotThrow(() -> {
            for (int i = 0; i < 6_000; i++) {
                limit.onFrame(clock.nanoTime());
                now.addAndGet(10 * MS);
            }
        });
    }
}
