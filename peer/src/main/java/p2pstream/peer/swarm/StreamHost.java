package p2pstream.peer.swarm;

import java.util.concurrent.Executor;
import p2pstream.common.access.Grant;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.Role;
import p2pstream.peer.tracker.TrackerClient;

/**
 * What a viewer lends every stream it opens: its loop (every stream and link of the viewer runs on it), the
 * verifier pool that hashes and checks signatures beside the loop, its tracker session (null when none is
 * asked), the connections the tracker arranges for them (null without a tracker or a listener), the catalog it
 * serves from, and the timers. Thread-safe (immutable); the parts keep their own rules.
 */
public record StreamHost(EventLoop loop, Executor verifiers, TrackerClient tracker, Arrangements arrangements,
                         ViewerCatalog catalog, Timings timings) {
    /** Hashing runs beside the network loop and the players; more threads than cores would only contend. */
    public static final int VERIFIER_THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() - 1));

    /** The HELLO this viewer says to a peer it fetches {@code id} from. */
    public Hello hello(ContentId id) {
        return hello(id, null);
    }

    /** The same, saying that {@code grant} follows when there is one (a private stream). */
    public Hello hello(ContentId id, Grant grant) {
        return new Hello(Role.CLIENT, catalog.peerId(), catalog.listenPort(), id, grant != null);
    }
}
