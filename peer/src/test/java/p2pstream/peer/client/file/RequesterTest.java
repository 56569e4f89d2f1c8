package p2pstream.peer.client.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import p2pstream.common.net.FakeClock;
import p2pstream.peer.schedule.Scheduler;

/** How REQUESTs are spread over links, asked again when late, and cancelled: fake links on a fake clock. */
class RequesterTest {
    private static final int CHUNK = 256 * 1024;

    /** A link that records what it was asked and told. */
    static final class FakeLink implements Requester.Link {
        final int slot;
        final BitSet held;
        double rate;
        final Map<Integer, Long> outstanding = new LinkedHashMap<>();
        final List<Integer> asked = new ArrayList<>();
        final List<Integer> cancelled = new ArrayList<>();
        boolean ready = true;
        boolean local;
        /** Runs after each request is recorded: a link that closes on its write. */
        Runnable afterRequest = () -> { };

        FakeLink(int slot, BitSet held, double rate) {
            this.slot = slot;
            this.held = held;
            this.rate = rate;
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public BitSet held() {
            return held;
        }

        @Override
        public boolean isLocal() {
            return local;
        }

        @Override
        public int slot() {
            return slot;
        }

        @Override
        public double bytesPerSecond() {
            return rate;
        }

        @Override
        public Map<Integer, Long> outstanding() {
            return outstanding;
        }

        @Override
        public void request(int index, long now) {
            outstanding.put(index, now);
            asked.add(index);
            afterRequest.run();
        }

        @Override
        public void cancel(int index) {
            cancelled.add(index);
        }
    }

    private final FakeClock clock = new FakeClock();

    @Test
    void aPeersPipelineIsAsDeepAsItsRateDeservesAndUrgentChunksGoFirstInOrder() {
        Scheduler s = new Scheduler(100, 32, 4);
        s.addSeed();
        FakeLink fast = new FakeLink(0, null, 40.0 * CHUNK); // 10 chunks a quarter second
        Requester r = new Requester(s, List.of(fast), clock, CHUNK);
        r.pump(fast);
        assertEquals(Scheduler.pipelineDepth(fast.rate, CHUNK), fast.asked.size());
        assertEquals(12, fast.asked.size(), "ceil(10) + 2");
        assertEquals(List.of(0, 1, 2, 3), fast.asked.subList(0, 4), "the urgent part first, in order");
    }

    @Test
    void aLinkClosedByItsOwnRequestLeavesTheLoopAndNoChunkStaysAskedOfIt() {
        Scheduler s = new Scheduler(100, 32, 8);
        s.addSeed();
        s.addSeed();
        List<FakeLink> peers = new ArrayList<>();
        FakeLink closing = new FakeLink(0, null, 40.0 * CHUNK);
        FakeLink other = new FakeLink(1, null, 40.0 * CHUNK);
        peers.add(closing);
        peers.add(other);
        // its second REQUEST fails to write: the link closes, gives its chunks back and leaves, as FileFetcher does
        closing.afterRequest = () -> {
            if (closing.asked.size() == 2) {
                closing.ready = false;
                closing.outstanding.keySet().forEach(s::unrequested);
                closing.outstanding.clear();
                peers.remove(closing);
            }
        };
        Requester r = new Requester(s, peers, clock, CHUNK);
        r.pumpAll(); // was a ConcurrentModificationException, and requests kept going to the closed link
        assertEquals(2, closing.asked.size(), "nothing asked of a closed link");
        assertTrue(other.asked.containsAll(closing.asked), "what the closed link held went to the other: "
                + other.asked);
    }

    @Test
    void viewersAreOfferedRequestsBeforeSeeds() {
        Scheduler s = new Scheduler(100, 8, 8);
        s.addSeed();
        s.addViewer();
        BitSet some = new BitSet();
        some.set(0, 4);
        for (int i = 0; i < 4; i++) {
            s.addHolder(i);
        }
        FakeLink seed = new FakeLink(0, null, 0);
        FakeLink viewer = new FakeLink(1, some, 0);
        Requester r = new Requester(s, List.of(seed, viewer), clock, CHUNK);
        r.pumpAll();
        assertEquals(List.of(0, 1, 2, 3), viewer.asked, "what a viewer holds goes to it");
        assertEquals(List.of(4, 5, 6, 7), seed.asked, "the seed gets the rest of the urgent part");
    }

    @Test
    void peersOnTheLanAreAskedFirstViewerOrSeed() {
        Scheduler s = new Scheduler(100, 32, 4);
        s.addSeed();
        s.addSeed();
        s.addViewer();
        BitSet all = new BitSet();
        all.set(0, 100);
        for (int i = 0; i < 100; i++) {
            s.addHolder(i);
        }
        FakeLink farViewer = new FakeLink(0, all, 0);
        FakeLink farSeed = new FakeLink(1, null, 0);
        FakeLink lanSeed = new FakeLink(2, null, 0);
        lanSeed.local = true;
        Requester r = new Requester(s, List.of(farViewer, farSeed, lanSeed), clock, CHUNK);
        r.pumpAll();
        assertEquals(List.of(0, 1, 2, 3), lanSeed.asked, "the urgent part goes to the peer on the LAN");
        assertEquals(List.of(4, 5, 6, 7), farViewer.asked, "then far viewers before far seeds");
        assertFalse(farSeed.asked.contains(0) || farSeed.asked.contains(1), "the LAN peer has them on their way");
    }

    @Test
    void anOverdueUrgentChunkIsAskedOfAFasterPeerAndTheLoserCancelledWhenItArrives() {
        Scheduler s = new Scheduler(10, 10, 4);
        s.addSeed();
        FakeLink slow = new FakeLink(0, null, CHUNK); // a chunk a second
        Requester r = new Requester(s, List.of(slow), clock, CHUNK);
        r.pump(slow);
        assertTrue(slow.asked.contains(0));
        List<FakeLink> both = new ArrayList<>(List.of(slow));
        FakeLink fast = new FakeLink(1, null, 100.0 * CHUNK);
        both.add(fast);
        Requester r2 = new Requester(s, both, clock, CHUNK);
        clock.advanceMillis(5_000); // chunk 0 is overdue at the slow peer
        r2.pump(fast);
        int duplicated = fast.asked.stream().filter(slow.asked::contains).findFirst().orElse(-1);
        assertTrue(duplicated >= 0 && duplicated < 4, "an urgent chunk asked again of the fast peer: " + fast.asked);
        fast.outstanding.remove(duplicated); // it arrived from the fast peer
        r2.cancelDuplicates(duplicated, fast);
        assertEquals(List.of(duplicated), slow.cancelled, "the slow peer's copy is cancelled");
        assertTrue(!slow.outstanding.containsKey(duplicated));
    }

    @Test
    void aPeerIsNeverAskedForAChunkItDoesNotHold() {
        Scheduler s = new Scheduler(20, 20, 4);
        s.addViewer();
        BitSet odd = new BitSet();
        for (int i = 1; i < 20; i += 2) {
            odd.set(i);
            s.addHolder(i);
        }
        FakeLink viewer = new FakeLink(0, odd, 0);
        new Requester(s, List.of(viewer), clock, CHUNK).pump(viewer);
        assertTrue(viewer.asked.stream().allMatch(i -> i % 2 == 1), "asked only what it holds: " + viewer.asked);
    }
}
