package p2pstream.peer.swarm;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Role;
import p2pstream.peer.server.Catalog;
import p2pstream.peer.server.Holding;

/**
 * What a viewer offers the peers that connect to it: each stream it has open, once it holds some of it (a file's
 * store or a live window), under its peer id and listen port; and the per-peer traffic of both directions. Loop
 * thread only: the acceptor hands every served connection to the viewer's one loop.
 */
public final class ViewerCatalog implements Catalog {
    private final StaticKey key;
    private final PeerId peerId;
    private final Traffic traffic = new Traffic();
    private volatile int listenPort; // set by the thread that opens the listener, read on the loop
    private final Map<ContentId, Holding> holdings = new HashMap<>();
    private final Map<ContentId, Consumer<InetSocketAddress>> servingPeers = new HashMap<>();

    public ViewerCatalog(StaticKey key) {
        this.key = key;
        this.peerId = key.peerId();
    }

    /** The static key this viewer proves its identity with, serving and fetching. */
    public StaticKey key() {
        return key;
    }

    /** The port this viewer serves on, once it listens (0: it does not serve). */
    public void listenPort(int port) {
        this.listenPort = port;
    }

    /** Serves {@code h} to peers asking for {@code id} from now on. */
    public void serve(ContentId id, Holding h) {
        holdings.put(id, h);
    }

    /** Stops serving {@code id}: the stream was closed. */
    public void withdraw(ContentId id) {
        holdings.remove(id);
        servingPeers.remove(id);
    }

    /** Who hears of peers we serve {@code id} to that serve it in turn (a live stream fetches from them too). */
    public void onServingPeers(ContentId id, Consumer<InetSocketAddress> listener) {
        servingPeers.put(id, listener);
    }

    public Traffic traffic() {
        return traffic;
    }

    public ConnectionHandler newServerSession() {
        return traffic.newServerSession(this);
    }

    @Override
    public Holding holding(ContentId id) {
        return holdings.get(id);
    }

    @Override
    public PeerId peerId() {
        return peerId;
    }

    @Override
    public int listenPort() {
        return listenPort;
    }

    @Override
    public Role role() {
        return Role.CLIENT; // a viewer: other viewers prefer it to the origin
    }

    @Override
    public void onServingPeer(ContentId id, InetSocketAddress address) {
        Consumer<InetSocketAddress> listener = servingPeers.get(id);
        if (listener != null) {
            listener.accept(address);
        }
    }
}
