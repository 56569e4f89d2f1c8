package p2pstream.peer.playback;

/** The download behind a playback buffer failed; the player stops with this. Thread-safe (immutable). */
public final class PlaybackException extends Exception {
    private static final long serialVersionUID = 1L;

    PlaybackException(Throwable cause) {
        super(cause.getMessage(), cause);
    }
}
