package p2pstream.common.net;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * N event loops (default: one per available processor) handed out round-robin: the NIO thread pool of a
 * tracker or peer. Thread-safe.
 */
public final class EventLoopGroup implements AutoCloseable {
    private final List<EventLoop> loops;
    private final AtomicInteger next = new AtomicInteger();

    public EventLoopGroup(String name, int threads) {
        this(name, threads, Clock.SYSTEM);
    }

    public EventLoopGroup(String name, int threads, Clock clock) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        List<EventLoop> list = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            list.add(new EventLoop(name + "-" + i, clock).start());
        }
        this.loops = List.copyOf(list);
    }

    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The loop for the next connection. */
    public EventLoop next() {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
    }

    public List<EventLoop> loops() {
        return loops;
    }

    /** Stops every loop and closes their connections; waits for the threads. */
    @Override
    public void close() {
        for (EventLoop loop : loops) {
            loop.close();
        }
    }
}
