package p2pstream.peer.client;

import java.net.InetSocketAddress;
import java.util.function.Consumer;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Role;
import p2pstream.peer.server.Catalog;
import p2pstream.peer.server.Holding;

/**
 * What a viewer offers the peers that connect to it: the one stream it watches, once it holds some of it (a
 * file's store or a live window), under its peer id and listen port; and the per-peer traffic of both
 * directions. Shared by the file and live sessions of a download. Loop thread only: the acceptor hands every
 * served connection to the download's one loop.
 */
final class ViewerCatalog implements Catalog {
    private final PeerId peerId;
    private final Traffic traffic = new Traffic();
    private volatile int listenPort; // set by the thread that opens the listener, read on the loop
    private ContentId contentId;
    private Holding holding;
    private Consumer<InetSocketAddress> servingPeers = a -> { };

    ViewerCatalog(PeerId peerId) {
        this.peerId = peerId;
    }

    /** The port this viewer serves on, once it listens (0: it does not serve). */
    void listenPort(int port) {
        this.listenPort = port;
    }

    /** Serves {@code h} to peers asking for {@code id} from now on. */
    void serve(ContentId id, Holding h) {
        this.contentId = id;
        this.holding = h;
    }

    /** Who hears of peers we serve that serve in turn (a live viewer fetches from them too). */
    void onServingPeers(Consumer<InetSocketAddress> listener) {
        this.servingPeers = listener;
    }

    Traffic traffic() {
        return traffic;
    }

    ConnectionHandler newServerSession() {
        return traffic.newServerSession(this);
    }

    @Override
    public Holding holding(ContentId id) {
        return holding != null && id.equals(contentId) ? holding : null;
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
    public void onServingPeer(InetSocketAddress address) {
        servingPeers.accept(address);
    }
}
