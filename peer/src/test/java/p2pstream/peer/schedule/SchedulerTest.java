package p2pstream.peer.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    private static BitSet bits(int... indexes) {
        BitSet b = new BitSet();
        for (int i : indexes) {
            b.set(i);
        }
        return b;
    }

    @Test
    void urgentPartGoesFirstInOrder() {
        Scheduler s = new Scheduler(100, 20, 4);
        s.addSeed();
        for (int expected = 0; expected < 4; expected++) {
            int i = s.next(null);
            assertEquals(expected, i);
            s.requested(i);
        }
    }

    @Test
    void beyondUrgentTakesRarestWithIndexAsTieBreak() {
        Scheduler s = new Scheduler(20, 10, 2);
        // chunks 0,1 are urgent and requested; among 2..9, chunk 7 is held by one peer, the rest by two
        s.requested(0);
        s.requested(1);
        for (int i = 2; i < 10; i++) {
            s.addHolder(i);
            if (i != 7) {
                s.addHolder(i);
            }
        }
        assertEquals(7, s.next(null));
        s.requested(7);
        assertEquals(2, s.next(null)); // all equal now: lowest index
    }

    @Test
    void seedIsAskedOnlyForTheUrgentPartOnceViewersAreConnected() {
        Scheduler s = new Scheduler(20, 10, 2);
        s.addSeed();
        assertEquals(0, s.next(null, true), "alone with the origin, a viewer takes everything from it");
        s.addViewer();
        s.requested(0);
        assertEquals(1, s.next(null, true), "urgent chunks still come from the seed");
        s.requested(1);
        assertEquals(Scheduler.NONE, s.next(null, true), "the rest is left to viewers");
        assertEquals(2, s.next(bits(2, 3), false));
        s.removeViewer();
        assertEquals(2, s.next(null, true));
    }

    @Test
    void neverAsksAPeerForAChunkItDoesNotHold() {
        Scheduler s = new Scheduler(10, 10, 3);
        BitSet held = bits(5, 8);
        s.addHolder(5);
        s.addHolder(8);
        int first = s.next(held);
        assertTrue(first == 5 || first == 8);
        s.requested(first);
        int second = s.next(held);
        assertEquals(first == 5 ? 8 : 5, second);
        s.requested(second);
        assertEquals(Scheduler.NONE, s.next(held));
    }

    @Test
    void staysInsideTheWindowUntilThePlayheadMoves() {
        Scheduler s = new Scheduler(10, 3, 1);
        for (int i = 0; i < 3; i++) {
            s.requested(s.next(null));
        }
        assertEquals(Scheduler.NONE, s.next(null));
        assertTrue(s.completed(0));
        s.playhead(1);
        assertEquals(3, s.next(null));
    }

    @Test
    void failedRequestCanBeAskedAgainAndCompletedOnlyOnce() {
        Scheduler s = new Scheduler(4, 4, 4);
        s.requested(0);
        assertEquals(1, s.next(null));
        s.unrequested(0);
        assertEquals(0, s.next(null));
        assertTrue(s.completed(0));
        assertFalse(s.completed(0), "a late duplicate must not count twice");
        assertEquals(1, s.doneCount());
        assertTrue(s.isDone(0));
    }


    @Test
    void duplicatesAnUrgentChunkOnlyForAMuchFasterPeer() {
        Scheduler s = new Scheduler(10, 10, 4);
        s.requested(0); // owned by slot 1
        Scheduler.Owner owner = i -> i == 0 ? 1 : -1;
        // slot 2 would take 100 ms, slot 1 is expected in 150 ms: not twice as fast, no duplicate
        Scheduler.Eta close = (i, slot) -> slot == 2 ? 100_000_000L : 150_000_000L;
        assertEquals(Scheduler.NONE, s.duplicate(null, 2, owner, close));
        // slot 1 expected in 1 s: duplicate
        Scheduler.Eta slow = (i, slot) -> slot == 2 ? 100_000_000L : 1_000_000_000L;
        assertEquals(0, s.duplicate(null, 2, owner, slow));
        // never duplicate to the owner itself, nor to a peer that lacks the chunk
        assertEquals(Scheduler.NONE, s.duplicate(null, 1, owner, slow));
        assertEquals(Scheduler.NONE, s.duplicate(bits(3), 2, owner, slow));
    }

    @Test
    void neverDuplicatesAChunkThatAlreadyArrivedAndIsBeingVerified() {
        Scheduler s = new Scheduler(10, 10, 4);
        s.requested(0); // still requested in the scheduler, but no peer owes it any more
        assertEquals(Scheduler.NONE, s.duplicate(null, 2, i -> -1, (i, slot) -> slot == 2 ? 1 : Long.MAX_VALUE / 4));
    }

    @Test
    void duplicatesOnlyChunksRequestedExactlyOnce() {
        Scheduler s = new Scheduler(10, 10, 4);
        s.requested(0);
        s.requested(0);
        assertEquals(Scheduler.NONE, s.duplicate(null, 2, i -> 1, (i, slot) -> slot == 2 ? 1 : 1_000_000_000L));
    }

    @Test
    void availabilityCountsSeedsAndHolders() {
        Scheduler s = new Scheduler(5, 5, 1);
        s.addSeed();
        s.addHolder(2);
        assertEquals(2, s.availability(2));
        assertEquals(1, s.availability(3));
        s.removeHolder(bits(2));
        s.removeSeed();
        assertEquals(0, s.availability(2));
    }

    @Test
    void pipelineDepthFollowsRateWithinBounds() {
        int chunk = 256 * 1024;
        assertEquals(4, Scheduler.pipelineDepth(0, chunk));
        assertEquals(2 + 1, Scheduler.pipelineDepth(100_000, chunk)); // well under a chunk per quarter second
        assertEquals(24, Scheduler.pipelineDepth(10e9, chunk));
        assertTrue(Scheduler.pipelineDepth(25e6, chunk) > Scheduler.pipelineDepth(5e6, chunk));
    }

    @Test
    void stallTimeoutIsFourChunkTimesWithAFloor() {
        int chunk = 1_000_000;
        assertEquals(6_000, Scheduler.stallTimeoutMillis(0, chunk, 3_000));
        assertEquals(3_000, Scheduler.stallTimeoutMillis(100e6, chunk, 3_000));
        assertEquals(40_000, Scheduler.stallTimeoutMillis(100_000, chunk, 3_000));
    }

    @Test
    void twoReadersUrgentPartsAreInterleavedInTurn() {
        Scheduler s = new Scheduler(100, 20, 3);
        s.addSeed();
        s.playheads(new int[] {0, 50}, 2);
        int[] order = new int[6];
        for (int n = 0; n < 6; n++) {
            order[n] = s.next(null);
            s.requested(order[n]);
        }
        assertArrayEquals(new int[] {0, 50, 1, 51, 2, 52}, order, "each reader's next urgent chunk in turn");
    }

    @Test
    void beyondTheUrgentPartsTheUnionOfTheWindowsIsFetchedRarestFirst() {
        Scheduler s = new Scheduler(100, 5, 1);
        s.playheads(new int[] {0, 50}, 2);
        s.requested(0);
        s.requested(50);
        for (int i = 1; i < 100; i++) {
            s.addHolder(i);
            s.addHolder(i);
        }
        BitSet scarce = new BitSet();
        scarce.set(53);
        s.removeHolder(scarce); // 53 is held by one peer, everything else by two
        assertEquals(53, s.next(null), "the rarest of either window");
        s.requested(53);
        assertEquals(1, s.next(null), "then the lowest index of the union");
        assertEquals(Scheduler.NONE, s.next(bits(10, 60)), "nothing outside both windows");
        assertTrue(s.inWindow(54) && s.inWindow(4) && !s.inWindow(5) && !s.inWindow(55));
    }

    @Test
    void aReaderThatSeeksBackMakesItsNewPositionUrgent() {
        Scheduler s = new Scheduler(100, 10, 2);
        s.addSeed();
        s.playheads(new int[] {40}, 1);
        assertEquals(40, s.next(null));
        s.playheads(new int[] {10}, 1);
        assertEquals(10, s.next(null), "a seek back is a playhead move like any other");
        assertEquals(10, s.playhead());
    }

    @Test
    void withNoReaderNothingIsWanted() {
        Scheduler s = new Scheduler(10, 10, 2);
        s.addSeed();
        s.playheads(new int[0], 0);
        assertEquals(Scheduler.NONE, s.next(null));
        assertFalse(s.missingInWindow());
        assertEquals(10, s.playhead(), "no reader: no playhead below the end");
    }

    @Test
    void duplicatesAtRiskChunksOfEveryReadersUrgentPart() {
        Scheduler s = new Scheduler(100, 10, 2);
        s.playheads(new int[] {0, 30}, 2);
        for (int i : new int[] {0, 1, 30, 31}) {
            s.requested(i);
        }
        // slot 1 holds every request; slot 2 (asking) is far faster, but only for chunk 31
        int d = s.duplicate(null, 2, i -> 1, (i, slot) -> slot == 2 ? 1 : i == 31 ? 1_000 : 1);
        assertEquals(31, d);
    }
}
