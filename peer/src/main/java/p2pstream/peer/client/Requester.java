package p2pstream.peer.client;

import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.IndexMessage;
import p2pstream.peer.schedule.Scheduler;

/**
 * Turns the {@link Scheduler}'s choices into REQUESTs: fills each ready peer's pipeline to the depth its
 * rate deserves, asks for at-risk chunks again from faster peers, and CANCELs the losers of such races.
 * Confined to the download's loop thread.
 */
final class Requester {
    private static final Logger log = LoggerFactory.getLogger(Requester.class);

    private final Scheduler scheduler;
    private final List<PeerSession> peers;
    private final EventLoop loop;
    private final int chunkSize;

    Requester(Scheduler scheduler, List<PeerSession> peers, EventLoop loop, int chunkSize) {
        this.scheduler = scheduler;
        this.peers = peers;
        this.loop = loop;
        this.chunkSize = chunkSize;
    }

    /** Viewers first: urgent chunks a viewer holds go to it rather than to a busy origin. */
    void pumpAll() {
        for (PeerSession p : peers) {
            if (p.held != null) {
                pump(p);
            }
        }
        for (PeerSession p : peers) {
            if (p.held == null) {
                pump(p);
            }
        }
    }

    void pump(PeerSession peer) {
        if (!peer.isReady()) {
            return;
        }
        int depth = Scheduler.pipelineDepth(peer.bytesPerSecond, chunkSize);
        while (peer.outstanding.size() < depth) {
            int index = scheduler.next(peer.held, peer.held == null);
            if (index == Scheduler.NONE) {
                index = scheduler.duplicate(peer.held, peer.slot, this::ownerOf, this::etaNanos);
                if (index == Scheduler.NONE) {
                    return;
                }
                log.debug("{} asked for chunk {} again: its first peer is too slow", peer, index);
            }
            scheduler.requested(index);
            long now = loop.nanoTime();
            peer.onAsking(now);
            peer.outstanding.put(index, now);
            peer.cancelled.clear(index);
            peer.send(IndexMessage.request(index));
        }
    }

    /** Chunk {@code index} arrived from {@code winner}: withdraw the same request from everyone else. */
    void cancelDuplicates(int index, PeerSession winner) {
        for (PeerSession p : peers) {
            if (p != winner && p.outstanding.remove(index) != null) {
                scheduler.unrequested(index);
                p.cancelled.set(index);
                p.send(IndexMessage.cancel(index));
            }
        }
    }

    /** The slot of the peer that has chunk {@code index} outstanding, or -1. */
    private int ownerOf(int index) {
        for (PeerSession p : peers) {
            if (p.outstanding.containsKey(index)) {
                return p.slot;
            }
        }
        return -1;
    }

    /** Expected nanoseconds until peer {@code slot} delivers chunk {@code index}, from its rate and queue. */
    private long etaNanos(int index, int slot) {
        for (PeerSession p : peers) {
            if (p.slot == slot) {
                return etaNanos(p, index);
            }
        }
        return Long.MAX_VALUE / 4;
    }

    private long etaNanos(PeerSession p, int index) {
        double rate = p.bytesPerSecond > 0 ? p.bytesPerSecond : chunkSize; // unmeasured: assume slow
        int ahead = 0;
        long askedAt = -1;
        for (Map.Entry<Integer, Long> e : p.outstanding.entrySet()) {
            ahead++;
            if (e.getKey() == index) {
                askedAt = e.getValue();
                break;
            }
        }
        if (askedAt < 0) {
            return (long) ((p.outstanding.size() + 1) * (double) chunkSize / rate * 1e9); // if asked now
        }
        long expected = (long) (ahead * (double) chunkSize / rate * 1e9);
        long waited = loop.nanoTime() - askedAt;
        // overdue: the estimate was wrong, so expect as long again as it has waited, not "any moment now";
        // an overdue chunk then grows ever more worth asking elsewhere instead of never
        return waited <= expected ? expected - waited : waited;
    }
}
