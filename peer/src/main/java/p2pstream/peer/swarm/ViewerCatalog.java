package p2pstream.peer.swarm;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Role;
import p2pstream.peer.server.Catalog;
import p2pstream.peer.server.Holding;
import p2pstream.peer.server.ServerSession;

/**
 * What a viewer offers the peers that connect to it: each stream it has open, once it holds some of it (a file's
 * store or a live window), under its peer id and listen port, a private one only to peers that show a grant for it;
 * and the per-peer traffic of both directions. Loop
 * thread only: the acceptor hands every served connection to the viewer's one loop.
 */
public final class ViewerCatalog implements Catalog {
    private static final Logger log = LoggerFactory.getLogger(ViewerCatalog.class);
    private final StaticKey key;
    private final PeerId peerId;
    private final Traffic traffic = new Traffic();
    private volatile int listenPort; // set by the thread that opens the listener, read on the loop
    private final Map<ContentId, Holding> holdings = new HashMap<>();
    /** The private streams among the holdings: served only to peers that show a grant of their owner. */
    private final Map<ContentId, Grant> privateStreams = new HashMap<>();
    private final Map<ContentId, Consumer<InetSocketAddress>> servingPeers = new HashMap<>();
    /** The sessions serving a reader now: a private stream's are checked again as grants expire. */
    private final Set<ServerSession> reading = new HashSet<>();

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

    /**
     * Serves the private stream {@code h}, which this viewer holds by {@code mine} (its own grant, naming the
     * stream's owner), to peers asking for {@code id} that show a grant of that owner for it (PROTOCOL.md section 10).
     */
    public void servePrivate(ContentId id, Holding h, Grant mine) {
        privateStreams.put(id, mine);
        holdings.put(id, h);
    }

    /** Stops serving {@code id}: the stream was closed. */
    public void withdraw(ContentId id) {
        holdings.remove(id);
        privateStreams.remove(id);
        servingPeers.remove(id);
    }

    /** Stops serving {@code id} and ends the sessions serving it now, telling each peer {@code reason}. */
    public void withhold(ContentId id, String reason) {
        withdraw(id);
        for (ServerSession s : new ArrayList<>(reading)) {
            if (id.equals(s.served())) {
                s.close(reason);
            }
        }
    }

    /**
     * A private stream is served only over an encrypted connection, to a peer that showed a grant signed by the
     * stream's owner, naming the id its handshake proved, unexpired, for this stream (by content id, or a folder its
     * name is in). The refusal names the stream by content id only and keeps the grant's details to our log.
     */
    @Override
    public String refusal(PeerId reader, boolean encrypted, ContentId id, Grant presented, long nowMillis) {
        Grant mine = privateStreams.get(id);
        if (mine == null) {
            return null;
        }
        String stream = "stream " + id.shortHex() + " is private";
        if (!encrypted) {
            return stream + " (expected: an encrypted connection; a private stream never travels in plaintext)";
        }
        String peer = reader == null ? "?" : reader.text();
        if (presented == null) {
            return stream + ": peer " + peer + " showed no grant (expected: a grant for it from its owner)";
        }
        Holding h = holdings.get(id);
        String wrong = presented.check(reader, mine.owner(), id, h.name(), nowMillis);
        if (wrong != null) {
            log.info("refused peer {} the private stream {}: {}", peer, id.shortHex(), wrong);
            return stream + ": peer " + peer + " may not read it (expected: an unexpired grant for it from its owner"
                    + ", naming peer " + peer + ")";
        }
        return null;
    }

    @Override
    public void onReading(ServerSession session, boolean open) {
        if (open) {
            reading.add(session);
        } else {
            reading.remove(session);
        }
    }

    /**
     * Checks again the grant each reader of {@code id} showed last (a private stream's grants are short-lived): one
     * that expired, or whose owner's grant of ours changed hands, is closed FORBIDDEN.
     */
    public void recheckReaders(ContentId id) {
        if (!privateStreams.containsKey(id)) {
            return;
        }
        for (ServerSession s : reading) {
            if (id.equals(s.served())) {
                s.recheck();
            }
        }
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
