package p2pstream.peer.tracker;

import java.io.IOException;

/**
 * The tracker at the address proved another peer id than the one pinned for it: nothing is sent to it and it is
 * not asked again. Thread-safe (immutable).
 */
public final class TrackerIdentityException extends IOException {
    private static final long serialVersionUID = 1L;

    TrackerIdentityException(String message) {
        super(message);
    }
}
