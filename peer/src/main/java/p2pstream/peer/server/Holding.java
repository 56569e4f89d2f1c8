package p2pstream.peer.server;

import p2pstream.common.net.Connection;
import p2pstream.common.wire.LiveEnd;
import p2pstream.common.wire.ManifestMessage;

/**
 * What a peer holds of one stream and serves from: a peer-server's whole file, a viewer's store that fills
 * up as chunks are verified ({@link FileHolding}), or a live stream's window ({@link LiveHolding}). Called on
 * the loop threads of the sessions serving it; each implementation says what it shares between loops.
 */
public interface Holding {
    /** What {@link #sendChunk} answers when the chunk is held but cannot be sent now: ask again later. */
    long OVERLOADED = -2;

    /** The stream's name, for logs. */
    String name();

    /** The MANIFEST frame to send, encoded once. */
    ManifestMessage manifestMessage();

    /** Chunk indexes below this are valid in REQUEST, CANCEL and HAVE: the chunk count, or 2^31-1 live. */
    int indexLimit();

    boolean holds(int index);

    /**
     * Tells a newly served peer what this peer holds (HAVE_ALL, a BITFIELD, or a HAVE per live chunk and the
     * end), and subscribes {@code s} to what arrives later where the holding grows.
     */
    void sendAvailability(Connection c, Subscriber s);

    /**
     * Queues chunk {@code index}'s frame on {@code c}.
     *
     * @return the frame's bytes, -1 when the chunk cannot be read now (a truncated file, a live chunk gone), or
     *         {@link #OVERLOADED} when it can but not at this moment (every open file is busy)
     */
    long sendChunk(Connection c, int index);

    void unsubscribe(Subscriber s);

    /** A served peer asked for chunk {@code index} (queued, not yet sent). */
    default void onAsked(int index) {
    }

    /** A request for {@code index} left the queue unsent: cancelled, or its session closed. */
    default void onUnasked(int index) {
    }

    /**
     * Nanoseconds a subscriber told of {@code index} with a delay should wait beyond it before telling its peer
     * (the publisher holds a chunk back while its first copy has not left): 0 to tell now.
     */
    default long revealWaitNanos(int index) {
        return 0;
    }

    /**
     * Bytes a serving session lets wait in its connection beyond the socket; the other requests stay in its own
     * queue, where a CANCEL still reaches them. Live chunks are due now, so a capped publisher keeps this small.
     */
    default long sendAheadBytes() {
        return Long.MAX_VALUE;
    }

    /** A serving session that wants to know of new chunks. Called on any thread; it hops to its own loop. */
    interface Subscriber {
        /** Chunk {@code index} is held now; tell the peer after {@code delayMillis} (0: at once). */
        void onHave(int index, long delayMillis);

        /** The live stream ended (signed by its publisher). */
        void onEnd(LiveEnd end);

        /** True once the peer has asked for a chunk, or has been subscribed for a second: it is past joining. */
        boolean isJoined();
    }
}
