package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The upload cap's arithmetic, on a fake clock. */
class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(42 * SECOND);

    @Test
    void startsWithOneBurstAndRefillsAtTheRate() {
        TokenBucket bucket = new TokenBucket(100_000, now::get);
        assertEquals(64 * 1024, bucket.take(Long.MAX_VALUE), "burst: at least 64 KiB");
        assertEquals(0, bucket.take(1));
        now.addAndGet(SECOND / 2);
        assertEquals(50_000, bucket.take(Long.MAX_VALUE));
        now.addAndGet(10 * SECOND);
        assertEquals(64 * 1024, bucket.take(Long.MAX_VALUE), "idle time does not bank more than one burst");
        assertEquals(100_000, bucket.bytesPerSecond());
    }

    @Test
    void scalesTheBurstWithFastRates() {
        TokenBucket bucket = new TokenBucket(100L * 1024 * 1024, now::get);
        assertEquals(100L * 1024 * 1024 / 20, bucket.take(Long.MAX_VALUE), "50 ms worth at a fast rate");
    }

    @Test
    void takesBackUnusedBudgetUpToOneBurst() {
        TokenBucket bucket = new TokenBucket(100_000, now::get);
        assertEquals(1_000, bucket.take(1_000));
        bucket.giveBack(1_000);
        bucket.giveBack(1_000_000);
        assertEquals(64 * 1024, bucket.take(Long.MAX_VALUE));
    }

    @Test
    void tellsHowLongUntilBudgetIsThere() {
        TokenBucket bucket = new TokenBucket(100_000, now::get);
        assertEquals(0, bucket.nanosUntil(1_000));
        bucket.take(Long.MAX_VALUE);
        assertEquals(SECOND / 10, bucket.nanosUntil(10_000));
        assertEquals(64 * 1024 * SECOND / 100_000, bucket.nanosUntil(Long.MAX_VALUE),
                "never waits for more than a burst");
        now.addAndGet(SECOND / 10);
        assertEquals(0, bucket.nanosUntil(10_000));
        assertEquals(10_000, bucket.take(10_000));
    }

    @Test
    void grantsAtMostOneBurstPlusTheRateOverTime() {
        long rate = 1_000_000;
        TokenBucket bucket = new TokenBucket(rate, now::get);
        Random random = new Random(99);
        long start = now.get();
        long granted = 0;
        while (now.get() - start < 10 * SECOND) {
            granted += bucket.take(1 + random.nextInt(128 * 1024));
            now.addAndGet(random.nextInt(5_000_000));
        }
        long elapsed = now.get() - start;
        long ceiling = 64 * 1024 + rate * elapsed / SECOND;
        assertTrue(granted <= ceiling, granted + " > " + ceiling);
        assertTrue(granted >= ceiling * 9 / 10, "a hungry taker gets nearly the whole rate: " + granted);
    }

    @Test
    void rejectsANonPositiveRate() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, now::get));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(-5, now::get));
    }
}
