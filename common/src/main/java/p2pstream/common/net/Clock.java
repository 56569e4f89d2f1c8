package p2pstream.common.net;

/** Monotonic time source of an {@link EventLoop}; tests inject their own. Implementations must be thread-safe. */
@FunctionalInterface
public interface Clock {
    Clock SYSTEM = System::nanoTime;

    long nanoTime();
}
