package p2pstream.common.net;

/**
 * The time source of an {@link EventLoop} and of every policy that runs on it: monotonic nanoseconds for
 * durations and deadlines, and wall-clock microseconds for what crosses machines (live publish times, ages of
 * chunks). Tests inject their own. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Clock {
    Clock SYSTEM = System::nanoTime;

    long nanoTime();

    /** Microseconds since the epoch; a fake clock overrides it to move wall time with its own. */
    default long epochMicros() {
        return System.currentTimeMillis() * 1000;
    }
}
