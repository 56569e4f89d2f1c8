package p2pstream.peer.client.file;

import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Clock;
import p2pstream.peer.schedule.Scheduler;

/**
 * Turns the {@link Scheduler}'s choices into REQUESTs: fills each ready peer's pipeline to the depth its
 * rate deserves, asks for at-risk chunks again from faster peers, and CANCELs the losers of such races.
 * Confined to the stream's loop thread.
 */
final class Requester {
    /** A link as the requester sees it. */
    interface Link {
        boolean isReady();

        /** What the peer holds; null when it holds everything. */
        BitSet held();

        /** A number of its own, for the scheduler's duplicate decisions. */
        int slot();

        /** Whether it is on this host's LANs: pumped before the others. */
        default boolean isLocal() {
            return false;
        }

        /** Its measured delivery rate; 0 before it is measured. */
        double bytesPerSecond();

        /** Outstanding requests in the order sent: chunk index to when it was asked (nanos). */
        Map<Integer, Long> outstanding();

        void request(int index, long now);

        /** Withdraws a request already removed from {@link #outstanding}; its chunk may still cross on the wire. */
        void cancel(int index);
    }

    private static final Logger log = LoggerFactory.getLogger(Requester.class);

    private final Scheduler scheduler;
    private final List<? extends Link> peers;
    private final Clock clock;
    private final int chunkSize;

    Requester(Scheduler scheduler, List<? extends Link> peers, Clock clock, int chunkSize) {
        this.scheduler = scheduler;
        this.peers = peers;
        this.clock = clock;
        this.chunkSize = chunkSize;
    }

    /**
     * Peers on this host's LANs first (local traffic first), and among each, viewers first: urgent chunks a viewer
     * holds go to it rather than to a busy origin.
     */
    void pumpAll() {
        pumpAll(true, true);
        pumpAll(true, false);
        pumpAll(false, true);
        pumpAll(false, false);
    }

    /**
     * Pumps the local or far viewers (links that said what they hold) or seeds. By index, not with an iterator: a
     * request whose write fails closes its link at once, and the link leaves the list in the middle of the loop.
     */
    private void pumpAll(boolean local, boolean viewers) {
        for (int i = 0; i < peers.size(); i++) {
            Link p = peers.get(i);
            if (p.isLocal() == local && (p.held() != null) == viewers) {
                pump(p);
                if (i >= peers.size() || peers.get(i) != p) {
                    i--; // it left: the next one moved into its place
                }
            }
        }
    }

    void pump(Link peer) {
        if (!peer.isReady()) {
            return;
        }
        int depth = Scheduler.pipelineDepth(peer.bytesPerSecond(), chunkSize);
        // ready checked each time: a request can close the link, and its chunks went back to the scheduler then
        while (peer.isReady() && peer.outstanding().size() < depth) {
            int index = scheduler.next(peer.held(), peer.held() == null);
            if (index == Scheduler.NONE) {
                index = scheduler.duplicate(peer.held(), peer.slot(), this::ownerOf, this::etaNanos);
                if (index == Scheduler.NONE) {
                    return;
                }
                log.debug("{} asked for chunk {} again: its first peer is too slow", peer, index);
            }
            scheduler.requested(index);
            peer.request(index, clock.nanoTime());
        }
    }

    /** Chunk {@code index} arrived from {@code winner}: withdraw the same request from everyone else. */
    void cancelDuplicates(int index, Link winner) {
        for (int i = 0; i < peers.size(); i++) { // by index: a CANCEL can close its link too
            Link p = peers.get(i);
            if (p != winner && p.outstanding().remove(index) != null) {
                scheduler.unrequested(index);
                p.cancel(index);
                if (i >= peers.size() || peers.get(i) != p) {
                    i--;
                }
            }
        }
    }

    /** The slot of the peer that has chunk {@code index} outstanding, or -1. */
    private int ownerOf(int index) {
        for (Link p : peers) {
            if (p.outstanding().containsKey(index)) {
                return p.slot();
            }
        }
        return -1;
    }

    /** Expected nanoseconds until peer {@code slot} delivers chunk {@code index}, from its rate and queue. */
    private long etaNanos(int index, int slot) {
        for (Link p : peers) {
            if (p.slot() == slot) {
                return etaNanos(p, index);
            }
        }
        return Long.MAX_VALUE / 4;
    }

    private long etaNanos(Link p, int index) {
        double rate = p.bytesPerSecond() > 0 ? p.bytesPerSecond() : chunkSize; // unmeasured: assume slow
        int ahead = 0;
        long askedAt = -1;
        for (Map.Entry<Integer, Long> e : p.outstanding().entrySet()) {
            ahead++;
            if (e.getKey() == index) {
                askedAt = e.getValue();
                break;
            }
        }
        if (askedAt < 0) {
            return (long) ((p.outstanding().size() + 1) * (double) chunkSize / rate * 1e9); // if asked now
        }
        long expected = (long) (ahead * (double) chunkSize / rate * 1e9);
        long waited = clock.nanoTime() - askedAt;
        // overdue: the estimate was wrong, so expect as long again as it has waited, not "any moment now";
        // an overdue chunk then grows ever more worth asking elsewhere instead of never
        return waited <= expected ? expected - waited : waited;
    }
}
