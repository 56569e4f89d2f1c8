package p2pstream.peer.server;

import java.net.InetSocketAddress;
import p2pstream.common.access.Grant;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.Role;

/**
 * The streams a serving process offers, as its {@link ServerSession}s see them: a peer-server's shared
 * directory, or the streams a viewer has open. Called on serving loop threads.
 */
public interface Catalog {

    /** The holding of {@code id}, or null when this peer does not serve it. */
    Holding holding(ContentId id);

    /** The id this peer says in its HELLO. */
    PeerId peerId();

    /** The port it serves on, as said in its HELLO. */
    int listenPort();

    /**
     * Why the reader whose handshake proved {@code reader} may not read the stream {@code id} (null when it may);
     * {@code encrypted}: whether its connection is; {@code presented}: the grant it showed after its HELLO, or null;
     * {@code nowMillis}: the wall clock, for the grant's expiry. Public streams refuse nobody.
     */
    default String refusal(PeerId reader, boolean encrypted, ContentId id, Grant presented, long nowMillis) {
        return null;
    }

    /** The grant a reader let into the private stream {@code id} is handed after HELLO; null for a public one. */
    default Grant grantFor(PeerId reader, ContentId id) {
        return null;
    }

    /** Who answers a reader's REDEEM (a private peer-server's invites and password); null: REDEEM is unexpected. */
    default Redemptions redemptions() {
        return null;
    }

    /** The role this peer says in its HELLO: a peer-server (publisher or seed) is a server, a viewer a client. */
    default Role role() {
        return Role.SERVER;
    }

    /** A peer we now serve {@code id} says it serves too, at {@code address}: a viewer may fetch from it in turn. */
    default void onServingPeer(ContentId id, InetSocketAddress address) {
    }

    /** A session began serving {@code stream} to a peer (its HELLO asked for it): for figures. */
    default void onServing(Holding stream) {
    }

    /** A session that was serving {@code stream} closed. */
    default void onServingEnded(Holding stream) {
    }

    /**
     * {@code session} now serves a stream to a reader let in ({@code open}; it is checked again when the access
     * changes), or it closed.
     */
    default void onReading(ServerSession session, boolean open) {
    }

    /** A chunk of {@code stream}, {@code bytes} with its frame, was queued to a peer: for upload figures. */
    default void onChunkSent(Holding stream, long bytes) {
    }

    /** A REQUEST was answered with REJECT for {@code reason}. */
    default void onRejected(Reject.Reason reason) {
    }
}
