package p2pstream.peer.playback;

/**
 * A consumer of a file stream in order from its own playhead: the stdout or file player, an HTTP response. The
 * stream makes the union of its readers' windows urgent and fetches nothing else; a reader that leaves releases
 * its urgency. Its playhead is read on the stream's loop; the reader tells the stream when it moved.
 */
public interface Reader {
    /** The next chunk this reader needs; the chunk count once it needs none. Any thread. */
    int playhead();

    /**
     * Chunk {@code index} is verified and in the store; on the stream's loop thread. A reader on that loop (an
     * HTTP response) goes on from here; one on a thread of its own waits on the stream's {@link Arrivals} instead.
     */
    default void onArrived(int index) {
    }

    /**
     * The stream failed ({@code message} says why): no chunk arrives any more. On the stream's loop thread; a reader
     * that joins a failed stream hears it at once. One on a thread of its own learns it from {@link Arrivals}.
     */
    default void onFailed(String message) {
    }
}
