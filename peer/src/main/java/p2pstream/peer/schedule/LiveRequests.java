package p2pstream.peer.schedule;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Which live chunk is asked of which peer: every wanted chunk in a range, oldest first, from a viewer that
 * announced it and has room (the least loaded); the publisher only when no viewer holds it, or when the viewers
 * holding it have been busy for a hedge time since the chunk was first announced, so that a busy relay makes a
 * request wait a little rather than spend the publisher's scarce upload at once. A request outstanding that long
 * is asked once more of any other holder. Counts the requests in flight per chunk. A pure policy over the
 * {@link Peer} view of links: no I/O, no clock (times are passed in). Loop thread only.
 */
public final class LiveRequests {
    /** A link as the policy sees it. */
    public interface Peer {
        boolean isReady();

        boolean holds(int index);

        /** The publisher itself, whose upload is the scarcest. */
        boolean isPublisher();

        int outstandingCount();

        /** When {@code index} was asked of this peer (nanos), or -1 when it is not outstanding here. */
        long askedAt(int index);

        void request(int index, long now);

        /** Withdraws an outstanding request (a no-op when there is none). */
        void cancel(int index);
    }

    /** Requests outstanding per peer: live chunks are small and due soon, a short pipeline is enough. */
    static final int MAX_PIPELINE = 8;

    private final List<? extends Peer> peers;
    private final Map<Integer, Integer> inFlight = new HashMap<>();
    /** When each chunk not yet fetched was first announced to us (nanos). */
    private final Map<Integer, Long> heardAt = new HashMap<>();

    public LiveRequests(List<? extends Peer> peers) {
        this.peers = peers;
    }

    /**
     * Requests the chunks of {@code [from, to]} that are {@code wanted}; a second copy once one is {@code hedgeNanos}
     * late.
     */
    public void pump(int from, int to, IntPredicate wanted, long now, long hedgeNanos) {
        heardAt.keySet().removeIf(i -> i < from);
        for (int i = from; i <= to; i++) {
            if (!wanted.test(i)) {
                heardAt.remove(i);
                continue;
            }
            int copies = inFlight.getOrDefault(i, 0);
            Long heard = heardAt.get(i);
            boolean waitedLong = heard != null && now - heard > hedgeNanos;
            Peer p = copies == 0 ? pick(i, waitedLong)
                    : copies == 1 && overdue(i, now, hedgeNanos) ? pick(i, true) : null;
            if (p != null) {
                // counted first: a request whose write closes its link lands at once, as the link gives it back
                inFlight.merge(i, 1, Integer::sum);
                p.request(i, now);
            }
        }
    }

    /** A peer announced {@code index}: the first time starts its clock. */
    public void heard(int index, long now) {
        heardAt.putIfAbsent(index, now);
    }

    /** One request for {@code index} ended (delivered, rejected, cancelled or lost with its peer). */
    public void landed(int index) {
        inFlight.computeIfPresent(index, (k, n) -> n > 1 ? n - 1 : null);
    }

    /** {@code index} arrived from {@code winner}: the other copies asked for are cancelled. */
    public void cancelOthers(int index, Peer winner) {
        for (int i = 0; i < peers.size(); i++) { // by index: a CANCEL whose write fails closes its link at once
            Peer p = peers.get(i);
            if (p != winner && p.askedAt(index) >= 0) {
                landed(index);
                p.cancel(index);
                if (i >= peers.size() || peers.get(i) != p) {
                    i--; // it left: the next one moved into its place
                }
            }
        }
    }

    /** Requests of {@code index} in flight. */
    public int inFlight(int index) {
        return inFlight.getOrDefault(index, 0);
    }

    private boolean overdue(int index, long now, long hedgeNanos) {
        for (Peer p : peers) {
            long asked = p.askedAt(index);
            if (asked >= 0 && now - asked > hedgeNanos) {
                return true;
            }
        }
        return false;
    }

    /**
     * The least loaded viewer with room that holds {@code index}; else the publisher, when no viewer holds it or
     * {@code anyHolder}.
     */
    private Peer pick(int index, boolean anyHolder) {
        Peer viewer = null;
        Peer publisher = null;
        boolean viewerHolds = false;
        for (Peer p : peers) {
            if (!p.isReady() || !p.holds(index)) {
                continue;
            }
            viewerHolds |= !p.isPublisher();
            if (p.outstandingCount() >= MAX_PIPELINE || p.askedAt(index) >= 0) {
                continue;
            }
            if (p.isPublisher()) {
                publisher = p;
            } else if (viewer == null || p.outstandingCount() < viewer.outstandingCount()) {
                viewer = p;
            }
        }
        return viewer != null ? viewer : !viewerHolds || anyHolder ? publisher : null;
    }
}
