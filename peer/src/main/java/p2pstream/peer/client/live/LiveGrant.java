package p2pstream.peer.client.live;

import java.util.Collection;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Lookup;
import p2pstream.peer.swarm.PeerLink;
import p2pstream.peer.swarm.PeersGrant;
import p2pstream.peer.swarm.StreamHost;

/**
 * A viewer's grant for a private live stream, kept fresh (PROTOCOL.md section 10): the owner hands a new one on our
 * link to it every renewal period, and when the one held is past half its life (60% of it) with none fresher from
 * the owner, the tracker is asked for the newest (LOOKUP by content id, at most once a second). A fresher grant of
 * the same owner is adopted: {@code onAdopted} hears it, and every link that showed a peer our grant shows it the
 * new one (a GRANT mid-connection, at most one a second per link). Loop thread only.
 */
final class LiveGrant {
    static final long ASK_INTERVAL_MILLIS = 1_000;
    private static final Logger log = LoggerFactory.getLogger(LiveGrant.class);

    private final StreamHost host;
    private final EventLoop loop;
    private final ContentId contentId;
    private final Consumer<Grant> onAdopted;
    /** Null when the stream is public: the tracker gave us no grant for it. */
    private Grant current;
    /** When the current grant reached us (wall clock millis): its half-life counts from there. */
    private long receivedMillis;
    private long askedMillis = Long.MIN_VALUE;
    /** Some link may not have been shown the current grant yet. */
    private boolean unshown;

    /** @param initial our grant from the tracker's PEERS (checked), or null */
    LiveGrant(StreamHost host, ContentId contentId, Grant initial, Consumer<Grant> onAdopted) {
        this.host = host;
        this.loop = host.loop();
        this.contentId = contentId;
        this.onAdopted = onAdopted;
        this.current = initial;
        this.receivedMillis = nowMillis();
    }

    /** Our grant now, or null. */
    Grant current() {
        return current;
    }

    /**
     * A grant for us ({@code g}, checked by whoever handed it: it names us and covers the stream): adopted when it is
     * of the owner of the one held and expires later. A public stream (none held: the tracker gave none) takes none:
     * any peer can sign a grant naming us, only that it is its own is checked.
     */
    void offer(Grant g) {
        if (current == null || !g.owner().equals(current.owner()) || g.expiresMillis() <= current.expiresMillis()) {
            return;
        }
        current = g;
        receivedMillis = nowMillis();
        unshown = true;
        log.debug("{}: grant renewed, valid until {}", contentId.shortHex(), g.expiresMillis());
        onAdopted.accept(g);
    }

    /** Once a tick: shows the current grant to the links not shown it yet, and asks the tracker when it is due. */
    void onTick(Collection<? extends PeerLink> links) {
        if (current == null) {
            return;
        }
        if (unshown) {
            boolean all = true;
            for (PeerLink link : links) {
                all &= link.show(current);
            }
            unshown = !all;
        }
        long now = nowMillis();
        // past half its life: at 60% of it, so that the owner's renewal, due at half, comes first when it comes
        long due = receivedMillis + (current.expiresMillis() - receivedMillis) * 3 / 5;
        if (now >= due && now - askedMillis >= ASK_INTERVAL_MILLIS && host.tracker() != null) {
            askedMillis = now;
            host.tracker().lookup(Lookup.byContentId(contentId, 1)).whenComplete((found, error) -> loop.execute(() -> {
                if (error == null && found.found() && contentId.equals(found.contentId())) {
                    Grant g = PeersGrant.read(found, host.catalog().peerId());
                    if (g != null) {
                        offer(g);
                    }
                }
            }));
        }
    }

    private long nowMillis() {
        return loop.clock().epochMicros() / 1000;
    }
}
