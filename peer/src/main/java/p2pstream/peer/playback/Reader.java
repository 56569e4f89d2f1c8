package p2pstream.peer.playback;

/**
 * A consumer of a file stream in order from its own playhead: the stdout or file player, an HTTP response. The
 * stream makes the union of its readers' windows urgent and fetches nothing else; a reader that leaves releases
 * its urgency. Its playhead is read on the stream's loop; the reader tells the stream when it moved.
 */
public interface Reader {
    /** The next chunk this reader needs; the chunk count once it needs none. Any thread. */
    int playhead();
}
