package p2pstream.peer.client;

import p2pstream.peer.swarm.StreamFailure;

/**
 * A watch that could not deliver the whole stream, with the exit status the command line reports (the codes of
 * {@link StreamFailure}) and the figures up to then. Thread-safe (immutable).
 */
public final class WatchException extends Exception {
    private static final long serialVersionUID = 1L;
    public static final int READER_CLOSED = StreamFailure.READER_CLOSED;
    public static final int INTERRUPTED = StreamFailure.INTERRUPTED;
    public static final int FAILED = StreamFailure.FAILED;
    public static final int NOT_FOUND = StreamFailure.NOT_FOUND;
    public static final int UNREACHABLE = StreamFailure.UNREACHABLE;
    public static final int MISMATCH = StreamFailure.MISMATCH;
    public static final int TRACKER_IDENTITY = StreamFailure.TRACKER_IDENTITY;
    public static final int FORBIDDEN = StreamFailure.FORBIDDEN;

    private final int exitStatus;
    private final transient Stats stats;

    public WatchException(int exitStatus, String message, Stats stats) {
        super(message, null, false, false);
        this.exitStatus = exitStatus;
        this.stats = stats;
    }

    public int exitStatus() {
        return exitStatus;
    }

    /** Figures up to the failure, or null when it failed before any stream was found. */
    public Stats stats() {
        return stats;
    }
}
