package p2pstream.peer.client;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import p2pstream.peer.server.Catalog;
import p2pstream.peer.server.ServerSession;

/**
 * What a viewer exchanged with each peer: verified bytes received, keyed by the address the peer serves on,
 * and bytes sent through the sessions serving others. Confined to the download's loop thread (which also runs
 * every serving session).
 */
final class Traffic {
    private final Map<String, Long> received = new LinkedHashMap<>();
    private final List<ServerSession> serving = new ArrayList<>();
    private final Map<String, Long> sentByClosed = new LinkedHashMap<>();
    private long uploadedByClosed;

    void peerReady(String peer) {
        received.putIfAbsent(peer, 0L);
    }

    void received(String peer, long bytes) {
        received.merge(peer, bytes, Long::sum);
    }

    /** A new session serving another peer from {@code catalog}. */
    ServerSession newServerSession(Catalog catalog) {
        ServerSession s = new ServerSession(catalog);
        serving.add(s);
        return s;
    }

    /** Closes every serving session, so the bytes sent are final before they are reported. */
    void stopServing(String reason) {
        for (ServerSession s : serving) {
            s.close(reason);
        }
    }

    /** Bytes sent to the peers served; closed sessions are folded into totals so the list stays short. */
    long uploadedBytes() {
        long live = 0;
        for (Iterator<ServerSession> it = serving.iterator(); it.hasNext(); ) {
            ServerSession s = it.next();
            if (s.isClosed()) {
                uploadedByClosed += s.bytesSent();
                if (s.peerName() != null) {
                    sentByClosed.merge(s.peerName(), s.bytesSent(), Long::sum);
                }
                it.remove();
            } else {
                live += s.bytesSent();
            }
        }
        return uploadedByClosed + live;
    }

    /** Per peer (by the address it serves on): verified bytes received, bytes sent. */
    List<Stats.PeerBytes> peerBytes() {
        uploadedBytes();
        Map<String, Long> sent = new LinkedHashMap<>(sentByClosed);
        for (ServerSession s : serving) {
            if (s.peerName() != null) {
                sent.merge(s.peerName(), s.bytesSent(), Long::sum);
            }
        }
        List<Stats.PeerBytes> list = new ArrayList<>();
        received.forEach((a, b) -> list.add(new Stats.PeerBytes(a, b, sent.getOrDefault(a, 0L))));
        sent.forEach((a, b) -> {
            if (!received.containsKey(a)) {
                list.add(new Stats.PeerBytes(a, 0, b));
            }
        });
        return list;
    }
}
