package p2pstream.peer.server;

import java.nio.channels.FileChannel;
import java.util.BitSet;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.peer.store.Manifest;

/**
 * What a peer holds of one stream and serves from: a peer-server's whole file, or a viewer's store that
 * fills up as chunks are verified. Called on the loop thread of the sessions serving it (a viewer's holding
 * lives on its one download loop; a whole file never changes).
 */
public interface Holding {

    Manifest manifest();

    /** The MANIFEST frame to send, encoded once. */
    ManifestMessage manifestMessage();

    /** True when every chunk is held (HAVE_ALL), false when a BITFIELD must be sent. */
    boolean holdsAll();

    boolean holds(int index);

    /** A copy of the chunks held, for a BITFIELD. */
    BitSet held();

    /** The file the chunks are read from, with positional transfers. */
    FileChannel channel();

    /** Registers a session to be told of chunks as they arrive (HAVE); whole files never call it back. */
    void subscribe(Subscriber s);

    void unsubscribe(Subscriber s);

    /** A serving session that wants to know of new chunks. */
    interface Subscriber {
        void onHave(int index);
    }
}
