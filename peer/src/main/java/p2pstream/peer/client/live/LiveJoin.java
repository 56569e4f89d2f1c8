package p2pstream.peer.client.live;

import java.util.List;
import p2pstream.common.net.Clock;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveWindow;

/**
 * Where a live viewer starts: it anchors at the newest chunk its peers announce, fetches back from there in
 * batches until it reaches chunks published more than the latency ago, and starts at the oldest chunk still
 * within it, so the player gets about {@code latency} of stream at once and then keeps pace with the edge.
 * Also estimates clock skew against the publisher (the smallest publish-to-arrival delay seen), so ages are
 * right even when clocks disagree. Loop thread only.
 */
final class LiveJoin {
    /** Chunks fetched back from the edge at a time while looking for where {@code latency} ago was. */
    static final int JOIN_BATCH = 8;

    private final long latencyMillis;
    private final Clock clock;
    private long offsetMicros = Long.MAX_VALUE;
    private int anchor = -1;
    private int low = -1;
    private int backlog;

    LiveJoin(long latencyMillis, Clock clock) {
        this.latencyMillis = latencyMillis;
        this.clock = clock;
    }

    /**
     * Chunk {@code index} arrived {@code delayMicros} after its publish time by our clock (negative when ours is
     * behind). Only chunks from the edge on count: the backlog fetched while joining is old by design, and taken
     * as clock skew it made old chunks look fresh, so joins reached back further than the latency.
     */
    void onArrival(int index, long delayMicros) {
        if (anchor >= 0 && index >= anchor) {
            offsetMicros = Math.min(offsetMicros, delayMicros);
        }
    }

    /** Milliseconds since {@code c} was published, by the publisher's clock as best known. */
    long ageMillis(LiveChunk c) {
        long offset = offsetMicros == Long.MAX_VALUE ? 0 : offsetMicros;
        return (clock.epochMicros() - c.publishMicros() - offset) / 1000;
    }

    /** The edge when the viewer joined: chunks after it count in the latency figures. */
    int anchor() {
        return anchor;
    }

    /** Chunks handed to the player at once when it started. */
    int backlog() {
        return backlog;
    }

    /** The lowest index to fetch while joining, given the newest any peer announces; -1 before any. */
    int from(int top) {
        if (anchor < 0) {
            if (top < 0) {
                return -1;
            }
            anchor = top;
            low = Math.max(0, top - JOIN_BATCH + 1);
        }
        return low;
    }

    /** The first chunk to play once it can be chosen, else -1 (still fetching, or fetching further back). */
    int start(LiveWindow window, List<LivePeer> peers) {
        if (anchor < 0) {
            return -1;
        }
        if (!window.holds(anchor)) {
            if (!held(peers, anchor)) {
                anchor = -1; // announced but not delivered (gone, or a lie): anchor again on what peers hold now
            }
            return -1;
        }
        int top = top(peers);
        if (ageMillis(window.get(anchor)) > latencyMillis && top > anchor) {
            // the edge moved on (or only part of a peer's HAVEs had arrived): anchor on the newer edge
            anchor = top;
            low = Math.max(0, top - JOIN_BATCH + 1);
            return -1;
        }
        LiveChunk lowest = window.get(low);
        if (lowest != null && ageMillis(lowest) <= latencyMillis && low > 0 && held(peers, low - 1)
                && anchor - low + 1 + JOIN_BATCH <= window.capacity() / 2) {
            low = Math.max(0, low - JOIN_BATCH);
            return -1;
        }
        for (int i = low; i <= anchor; i++) {
            if (!window.holds(i) && held(peers, i)) {
                return -1;
            }
        }
        for (int i = low; i <= anchor; i++) {
            LiveChunk c = window.get(i);
            if (c != null && ageMillis(c) <= latencyMillis) {
                backlog = anchor - i + 1;
                return i;
            }
        }
        backlog = 1;
        return anchor; // even the edge is older than the latency: start there, the freshest there is
    }

    private static int top(List<LivePeer> peers) {
        int top = -1;
        for (LivePeer p : peers) {
            if (p.isAnnounced()) {
                top = Math.max(top, p.held.top());
            }
        }
        return top;
    }

    private static boolean held(List<LivePeer> peers, int index) {
        for (LivePeer p : peers) {
            if (p.isReady() && p.held.contains(index)) {
                return true;
            }
        }
        return false;
    }
}
