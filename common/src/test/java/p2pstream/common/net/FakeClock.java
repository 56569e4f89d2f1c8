package p2pstream.common.net;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when a test moves it: monotonic nanoseconds and wall-clock microseconds advance
 * together. Thread-safe.
 */
public final class FakeClock implements Clock {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong epochMicros;

    /** Starts at {@code epochMicros} of wall time. */
    public FakeClock(long epochMicros) {
        this.epochMicros = new AtomicLong(epochMicros);
    }

    /** Starts at a fixed, plausible wall time (2026-01-01). */
    public FakeClock() {
        this(1_767_225_600_000_000L);
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long epochMicros() {
        return epochMicros.get();
    }

    public FakeClock advanceMillis(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
        epochMicros.addAndGet(TimeUnit.MILLISECONDS.toMicros(millis));
        return this;
    }
}
