package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition in tests: polls it until it holds, and fails after a deadline (never a fixed sleep). */
public final class Await {
    public static final long WAIT_MILLIS = 10_000;

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails after the deadline. */
    public static void await(String what, BooleanSupplier condition) {
        await(what, WAIT_MILLIS, condition);
    }

    /** Polls {@code condition} until it holds; fails after {@code timeoutMillis}. */
    public static void await(String what, long timeoutMillis, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    public static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            fail("timed out waiting for: " + what);
        }
    }
}
