package p2pstream.peer.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which live chunk is asked of which peer, on fake peers and made-up times. */
class LiveRequestsTest {
    private static final long MS = 1_000_000;
    private static final long HEDGE = 500 * MS;

    /** A peer as the policy sees it, recording what it was asked. */
    static final class FakePeer implements LiveRequests.Peer {
        final boolean publisher;
        final Set<Integer> held = new HashSet<>();
        final Map<Integer, Long> asked = new LinkedHashMap<>();
        final List<Integer> cancelled = new ArrayList<>();

        FakePeer(boolean publisher, int... held) {
            this.publisher = publisher;
            for (int i : held) {
                this.held.add(i);
            }
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public boolean holds(int index) {
            return held.contains(index);
        }

        @Override
        public boolean isPublisher() {
            return publisher;
        }

        @Override
        public int outstandingCount() {
            return asked.size();
        }

        @Override
        public long askedAt(int index) {
            Long at = asked.get(index);
            return at == null ? -1 : at;
        }

        @Override
        public void request(int index, long now) {
            asked.put(index, now);
        }

        @Override
        public void cancel(int index) {
            if (asked.remove(index) != null) {
                cancelled.add(index);
            }
        }
    }

    @Test
    void aViewerThatHoldsAChunkIsAskedRatherThanThePublisher() {
        FakePeer publisher = new FakePeer(true, 1, 2, 3);
        FakePeer viewer = new FakePeer(false, 1, 2);
        LiveRequests r = new LiveRequests(List.of(publisher, viewer));
        r.pump(1, 3, i -> true, 0, HEDGE);
        assertEquals(Set.of(1, 2), viewer.asked.keySet(), "what a viewer holds is asked of it");
        assertEquals(Set.of(3), publisher.asked.keySet(), "the publisher only for what no viewer holds");
    }

    @Test
    void aBusyViewerMakesARequestWaitForTheHedgeTimeBeforeThePublisherIsAsked() {
        FakePeer publisher = new FakePeer(true, 5);
        FakePeer viewer = new FakePeer(false, 5);
        for (int i = 100; i < 100 + LiveRequests.MAX_PIPELINE; i++) {
            viewer.asked.put(i, 0L); // its pipeline is full
        }
        LiveRequests r = new LiveRequests(List.of(publisher, viewer));
        r.heard(5, 0);
        r.pump(5, 5, i -> true, HEDGE - MS, HEDGE);
        assertEquals(0, publisher.asked.size(), "within the hedge time a busy relay is waited for");
        r.pump(5, 5, i -> true, HEDGE + MS, HEDGE);
        assertEquals(Set.of(5), publisher.asked.keySet(), "after it, the publisher is asked");
    }

    @Test
    void aRequestOutstandingPastTheHedgeIsAskedOnceMoreAndTheLoserCancelled() {
        FakePeer slow = new FakePeer(false, 7);
        FakePeer other = new FakePeer(false, 7);
        LiveRequests r = new LiveRequests(List.of(slow, other));
        r.pump(7, 7, i -> true, 0, HEDGE);
        FakePeer first = slow.asked.containsKey(7) ? slow : other;
        FakePeer second = first == slow ? other : slow;
        r.pump(7, 7, i -> true, HEDGE / 2, HEDGE);
        assertEquals(1, r.inFlight(7), "not yet overdue: one copy");
        r.pump(7, 7, i -> true, HEDGE + MS, HEDGE);
        assertEquals(2, r.inFlight(7), "overdue: a second copy");
        assertTrue(second.asked.containsKey(7));
        r.pump(7, 7, i -> true, 3 * HEDGE, HEDGE);
        assertEquals(2, r.inFlight(7), "never a third");
        first.asked.remove(7); // delivered by the first
        r.landed(7);
        r.cancelOthers(7, first);
        assertEquals(List.of(7), second.cancelled);
        assertEquals(0, r.inFlight(7));
    }

    @Test
    void unwantedChunksAndFullPipelinesAreNotAsked() {
        FakePeer viewer = new FakePeer(false, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        LiveRequests r = new LiveRequests(List.of(viewer));
        r.pump(1, 12, i -> i != 2, 0, HEDGE);
        assertTrue(!viewer.asked.containsKey(2), "an unwanted chunk (held, or being verified) is not asked");
        assertEquals(LiveRequests.MAX_PIPELINE, viewer.asked.size(), "no more than the pipeline");
        assertEquals(List.of(1, 3, 4, 5, 6, 7, 8, 9), List.copyOf(viewer.asked.keySet()), "oldest first");
    }
}
