package p2pstream.peer.swarm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A stream's relayed links and their tries for a direct path (PROTOCOL.md section 11): now and then a link a relay
 * carries has a second link to the same holder made beside it (a reversal or a punch the tracker arranges, or a plain
 * dial once the tracker says the holder can be reached); when that one is ready the relayed link is closed and its
 * stream moves what it owed to the direct one. Tries back off from {@link #FIRST_TRY_MILLIS}, doubling up to
 * {@link #MAX_TRY_MILLIS}: a NAT that changes ports stays one, and each try costs both ends a few SYNs. Loop
 * thread only.
 *
 * @param <P> the stream's kind of link
 */
final class DirectPaths<P extends PeerLink> {
    static final long FIRST_TRY_MILLIS = 10_000;
    static final long MAX_TRY_MILLIS = 600_000;
    private static final long NANOS_PER_MILLI = 1_000_000;

    /** By relayed link: when it next tries, and its try in flight. */
    private final Map<P, Tries<P>> byRelayed = new HashMap<>();

    private static final class Tries<P> {
        long intervalMillis = FIRST_TRY_MILLIS;
        long nextNanos;
        P attempt;
        boolean replaced;
    }

    /**
     * Looks at the ready relayed links among {@code peers}: one whose try became ready is closed (the try takes over);
     * one whose next try is due gets one from {@code tryFrom} (which adds the new link beside it).
     */
    void tick(long now, List<P> peers, Function<P, P> tryFrom) {
        if (!anyRelayed(peers)) {
            return; // the common case: no copy of the peer list every tick
        }
        // a copy: closing a link or adding a try changes the list
        for (P p : new ArrayList<>(peers)) {
            if (p.route() != PeerLink.Route.RELAYED || !p.isReady()) {
                continue;
            }
            Tries<P> t = byRelayed.computeIfAbsent(p, k -> {
                Tries<P> fresh = new Tries<>();
                fresh.nextNanos = now + FIRST_TRY_MILLIS * NANOS_PER_MILLI;
                return fresh;
            });
            if (t.attempt != null && t.attempt.isReady()) {
                t.replaced = true;
                p.close("moved to a direct path (" + t.attempt.route().label() + ")");
            } else if (t.attempt == null && now - t.nextNanos >= 0) {
                t.attempt = tryFrom.apply(p);
            }
        }
    }

    private static boolean anyRelayed(List<? extends PeerLink> peers) {
        for (PeerLink p : peers) {
            if (p.route() == PeerLink.Route.RELAYED && p.isReady()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A link closed. True when the swarm should not count it against its address: a try that did not connect (the
     * next one waits twice as long), or a relayed link its try replaced.
     */
    boolean onClosed(P link, PeerLink.Phase was, long now) {
        Tries<P> relayed = byRelayed.remove(link);
        if (relayed != null) {
            return relayed.replaced;
        }
        for (Tries<P> t : byRelayed.values()) {
            if (t.attempt == link) {
                t.attempt = null;
                if (was == PeerLink.Phase.READY) {
                    return false; // a direct link that served and then ended: an ordinary departure
                }
                t.intervalMillis = Math.min(MAX_TRY_MILLIS, t.intervalMillis * 2);
                t.nextNanos = now + t.intervalMillis * NANOS_PER_MILLI;
                return true;
            }
        }
        return false;
    }

    /** Whether {@code link} is a try for a direct path (not yet the link its stream fetches through). */
    boolean isTry(P link) {
        for (Tries<P> t : byRelayed.values()) {
            if (t.attempt == link) {
                return true;
            }
        }
        return false;
    }
}
