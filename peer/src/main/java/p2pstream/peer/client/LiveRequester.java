package p2pstream.peer.client;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Which live chunk is asked of which peer: every wanted chunk in a range, oldest first, from a viewer that
 * announced it and has room (the least loaded); the publisher only when no viewer holds it, or when the viewers
 * holding it have been busy for a hedge time since the chunk was first announced, so that a busy relay makes a
 * request wait a little rather than spend the publisher's scarce upload at once. A request outstanding that long
 * is asked once more of any other holder. Counts the requests in flight per chunk. Loop thread only.
 */
final class LiveRequester {
    /** Requests outstanding per peer: live chunks are small and due soon, a short pipeline is enough. */
    static final int MAX_PIPELINE = 8;

    private final List<LivePeer> peers;
    private final Map<Integer, Integer> inFlight = new HashMap<>();
    /** When each chunk not yet fetched was first announced to us (nanos). */
    private final Map<Integer, Long> heardAt = new HashMap<>();

    LiveRequester(List<LivePeer> peers) {
        this.peers = peers;
    }

    /** Requests the chunks of {@code [from, to]} that are {@code wanted}; a second copy once one is {@code hedgeNanos} late. */
    void pump(int from, int to, IntPredicate wanted, long now, long hedgeNanos) {
        heardAt.keySet().removeIf(i -> i < from);
        for (int i = from; i <= to; i++) {
            if (!wanted.test(i)) {
                heardAt.remove(i);
                continue;
            }
            int copies = inFlight.getOrDefault(i, 0);
            Long heard = heardAt.get(i);
            boolean waitedLong = heard != null && now - heard > hedgeNanos;
            LivePeer p = copies == 0 ? pick(i, waitedLong) : copies == 1 && overdue(i, now, hedgeNanos) ? pick(i, true) : null;
            if (p != null) {
                p.request(i, now);
                inFlight.merge(i, 1, Integer::sum);
            }
        }
    }

    /** A peer announced {@code index}: the first time starts its clock. */
    void heard(int index, long now) {
        heardAt.putIfAbsent(index, now);
    }

    /** One request for {@code index} ended (delivered, rejected, cancelled or lost with its peer). */
    void landed(int index) {
        inFlight.computeIfPresent(index, (k, n) -> n > 1 ? n - 1 : null);
    }

    /** {@code index} arrived from {@code winner}: the other copies asked for are cancelled. */
    void cancelOthers(int index, LivePeer winner) {
        for (LivePeer p : peers) {
            if (p != winner && p.outstanding.containsKey(index)) {
                p.cancel(index);
                landed(index);
            }
        }
    }

    private boolean overdue(int index, long now, long hedgeNanos) {
        for (LivePeer p : peers) {
            Long asked = p.outstanding.get(index);
            if (asked != null && now - asked > hedgeNanos) {
                return true;
            }
        }
        return false;
    }

    /** The least loaded viewer with room that holds {@code index}; else the publisher, when no viewer holds it or {@code anyHolder}. */
    private LivePeer pick(int index, boolean anyHolder) {
        LivePeer viewer = null;
        LivePeer publisher = null;
        boolean viewerHolds = false;
        for (LivePeer p : peers) {
            if (!p.isReady() || !p.held.contains(index)) {
                continue;
            }
            viewerHolds |= !p.publisher;
            if (p.outstanding.size() >= MAX_PIPELINE || p.outstanding.containsKey(index)) {
                continue;
            }
            if (p.publisher) {
                publisher = p;
            } else if (viewer == null || p.outstanding.size() < viewer.outstanding.size()) {
                viewer = p;
            }
        }
        return viewer != null ? viewer : !viewerHolds || anyHolder ? publisher : null;
    }
}
