package p2pstream.peer.swarm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.wire.ProtocolException;
import p2pstream.peer.server.Catalog;
import p2pstream.peer.server.ServerSession;

/**
 * What a viewer exchanged with each peer: verified bytes received, keyed by the address the peer serves on,
 * and bytes sent through the sessions serving others. Confined to the viewer's loop thread (which also runs
 * every serving session). A serving session is forgotten as soon as its connection closes, its bytes folded into
 * the totals: a flood of connections costs nothing once they are gone.
 */
public final class Traffic {
    /**
     * Peers named in the per-peer figures of sessions already closed; beyond it their bytes count in the total only.
     */
    static final int MAX_CLOSED_PEERS_NAMED = 256;

    /**
     * One peer, by the address it serves on: verified bytes received from it, bytes sent to it, and how this viewer
     * reached it (a {@link PeerLink.Route} label; null for a peer that only fetched from us).
     */
    public record PeerBytes(String address, long bytes, long sent, String route) {
    }

    private final Map<String, Long> received = new LinkedHashMap<>();
    private final Map<String, String> routes = new HashMap<>();
    private final Set<ServerSession> serving = new LinkedHashSet<>();
    private final Map<String, Long> sentByClosed = new LinkedHashMap<>();
    private long uploadedByClosed;
    private long receivedBytes;
    private long verifiedChunks;
    private long rejectedChunks;
    private long linksReady;
    private long sessionsServed;

    /** A link to {@code peer}, made by {@code route}, passed its handshake: the stream fetches from it. */
    public void peerReady(String peer, PeerLink.Route route) {
        received.putIfAbsent(peer, 0L);
        routes.put(peer, route.label());
        linksReady++;
    }

    /** A verified chunk of {@code bytes} from {@code peer} was kept. */
    public void received(String peer, long bytes) {
        received.merge(peer, bytes, Long::sum);
        receivedBytes += bytes;
        verifiedChunks++;
    }

    /** A chunk (or a live stream's end) failed its check: a bad SHA-256 or signature, a replay. */
    public void rejected() {
        rejectedChunks++;
    }

    /** Verified bytes received and kept, every stream of the viewer's life together. */
    public long receivedBytes() {
        return receivedBytes;
    }

    public long verifiedChunks() {
        return verifiedChunks;
    }

    public long rejectedChunks() {
        return rejectedChunks;
    }

    /** Links to peers that passed their handshake, and sessions serving other peers opened, so far. */
    public long linksReady() {
        return linksReady;
    }

    public long sessionsServed() {
        return sessionsServed;
    }

    /** The handler of a new connection serving another peer from {@code catalog}. */
    public ConnectionHandler newServerSession(Catalog catalog) {
        return new Served(new ServerSession(catalog));
    }

    /** Serving sessions whose connection is open: the figure a flood of connections must not grow. */
    public int servingCount() {
        return serving.size();
    }

    /** Closes every serving session, so the bytes sent are final before they are reported. */
    public void stopServing(String reason) {
        for (ServerSession s : List.copyOf(serving)) {
            s.close(reason);
        }
    }

    /** Bytes sent to the peers served, closed sessions included. */
    public long uploadedBytes() {
        long live = 0;
        for (ServerSession s : serving) {
            live += s.bytesSent();
        }
        return uploadedByClosed + live;
    }

    private void onClosed(ServerSession s) {
        serving.remove(s);
        uploadedByClosed += s.bytesSent();
        String peer = s.peerName();
        if (peer != null && (sentByClosed.containsKey(peer) || sentByClosed.size() < MAX_CLOSED_PEERS_NAMED)) {
            sentByClosed.merge(peer, s.bytesSent(), Long::sum);
        }
    }

    /** Per peer (by the address it serves on): verified bytes received, bytes sent. */
    public List<PeerBytes> peerBytes() {
        Map<String, Long> sent = new LinkedHashMap<>(sentByClosed);
        for (ServerSession s : serving) {
            if (s.peerName() != null) {
                sent.merge(s.peerName(), s.bytesSent(), Long::sum);
            }
        }
        List<PeerBytes> list = new ArrayList<>();
        received.forEach((a, b) -> list.add(new PeerBytes(a, b, sent.getOrDefault(a, 0L), routes.get(a))));
        sent.forEach((a, b) -> {
            if (!received.containsKey(a)) {
                list.add(new PeerBytes(a, 0, b, null));
            }
        });
        return list;
    }

    /** A serving session that is added to the live ones when it opens and removed when it closes. */
    private final class Served implements ConnectionHandler {
        private final ServerSession session;

        Served(ServerSession session) {
            this.session = session;
        }

        @Override
        public void onOpen(Connection connection) {
            serving.add(session);
            sessionsServed++;
            session.onOpen(connection);
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            session.onFrame(type, payload);
        }

        @Override
        public void onWritable() {
            session.onWritable();
        }

        @Override
        public void onClose(String reason) {
            try {
                session.onClose(reason);
            } finally {
                onClosed(session);
            }
        }
    }
}
