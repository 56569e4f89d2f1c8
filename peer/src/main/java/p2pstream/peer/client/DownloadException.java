package p2pstream.peer.client;

/**
 * A download that could not deliver the whole stream, with the exit status the command line reports.
 * Thread-safe (immutable).
 */
public final class DownloadException extends Exception {
    private static final long serialVersionUID = 1L;
    /** The reader of stdout closed it (the player quit): the end the user asked for. */
    public static final int READER_CLOSED = 0;
    /** Ended by a signal (Ctrl-C, SIGTERM); the JVM's own exit status is what the shell sees. */
    public static final int INTERRUPTED = 130;
    /** The download failed part-way (output error, peers lost for good). */
    public static final int FAILED = 1;
    /** The tracker knows no stream by that name or content id. */
    public static final int NOT_FOUND = 3;
    /** Neither the tracker nor any peer could be reached. */
    public static final int UNREACHABLE = 4;
    /** The user asked by content id and the tracker offered another content: refused, never delivered. */
    public static final int MISMATCH = 5;

    private final int exitStatus;
    private final transient Stats stats;

    public DownloadException(int exitStatus, String message, Stats stats) {
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
