package p2pstream.common.net;

/** A task scheduled on an {@link EventLoop} at a deadline. Loop thread only. */
public final class Timeout implements Comparable<Timeout> {
    final long deadlineNanos;
    final Runnable task;
    private final long sequence;
    boolean cancelled;

    Timeout(long deadlineNanos, long sequence, Runnable task) {
        this.deadlineNanos = deadlineNanos;
        this.sequence = sequence;
        this.task = task;
    }

    /** The task will not run; harmless if it already ran. */
    public void cancel() {
        cancelled = true;
    }

    @Override
    public int compareTo(Timeout o) {
        int c = Long.compare(deadlineNanos, o.deadlineNanos);
        return c != 0 ? c : Long.compare(sequence, o.sequence);
    }
}
