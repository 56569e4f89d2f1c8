package p2pstream.peer.swarm;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why a stream could not be opened or went on no further, with the exit status the command line reports for
 * it. Thread-safe (immutable).
 */
public final class StreamFailure extends Exception {
    private static final long serialVersionUID = 1L;
    /** The reader of stdout closed it (the player quit): the end the user asked for. */
    public static final int READER_CLOSED = 0;
    /** The stream failed part-way (output error, peers lost for good). */
    public static final int FAILED = 1;
    /** The tracker knows no stream by that name or content id. */
    public static final int NOT_FOUND = 3;
    /** Neither the tracker nor any peer could be reached. */
    public static final int UNREACHABLE = 4;
    /** The user asked by content id and the tracker offered another content: refused, never delivered. */
    public static final int MISMATCH = 5;
    /**
     * The tracker, or every peer the user named and pinned ({@code --peer HOST:PORT#ID}), proved another identity than
     * the one pinned for it: refused, nothing asked of it.
     */
    public static final int TRACKER_IDENTITY = 6;
    /** A private stream: the peers refused this reader (no grant for its id). */
    public static final int FORBIDDEN = 7;
    /** --discover: no tracker answered on the LAN, not the one named, or several and none named. */
    public static final int NO_TRACKER = 8;
    /** An invite its owner refused: already used by another peer, unknown, or guessed too often from here. */
    public static final int INVITE_REFUSED = 9;
    /** Ended by a signal (Ctrl-C, SIGTERM); the JVM's own exit status is what the shell sees. */
    public static final int INTERRUPTED = 130;

    private final int exitStatus;

    public StreamFailure(int exitStatus, String message) {
        super(message, null, false, false);
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }

    /** The innermost message of {@code t}, through the wrappers futures add. */
    public static String rootMessage(Throwable t) {
        Throwable root = root(t);
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    /** {@code t} without the wrappers futures add. */
    public static Throwable root(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
