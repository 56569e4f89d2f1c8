package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RevealTest {
    private static final long MS = 1_000_000;
    private final Reveal reveal = new Reveal(1_000, 8);

    @Test
    void aChunkNobodyAskedForIsToldTheDelayAfterItWasAdded() {
        reveal.onAdded(5, 0);
        assertEquals(1_000 * MS, reveal.waitNanos(5, 0));
        assertEquals(0, reveal.waitNanos(5, 1_000 * MS));
    }

    @Test
    void theDelayCountsFromWhenTheFirstCopyLeftNotFromWhenTheChunkWasAdded() {
        reveal.onAdded(5, 0);
        reveal.onAsked(5);
        reveal.onSent(5, 700 * MS);
        reveal.onSent(5, 900 * MS); // a second copy does not move it
        assertEquals(600 * MS, reveal.waitNanos(5, 1_100 * MS));
        assertEquals(0, reveal.waitNanos(5, 1_700 * MS));
    }

    @Test
    void aCopyStillQueuedHoldsTheOthersBackAndIsLookedAtAgainSoonUpToThreeDelays() {
        reveal.onAdded(5, 0);
        reveal.onAsked(5);
        long wait = reveal.waitNanos(5, 1_000 * MS);
        assertTrue(wait > 0 && wait <= 250 * MS, "looked at again within a quarter delay: " + wait);
        assertEquals(100 * MS, reveal.waitNanos(5, 2_900 * MS));
        assertEquals(0, reveal.waitNanos(5, 3_000 * MS), "told anyway: the copy may never leave (its asker left)");
    }

    @Test
    void aRequestThatLeftUnsentNoLongerHoldsTheOthersBack() {
        reveal.onAdded(5, 0);
        reveal.onAsked(5);
        reveal.onAsked(5);
        reveal.onUnasked(5); // one asker cancelled; the other still waits in a queue
        assertTrue(reveal.waitNanos(5, 1_500 * MS) > 0);
        reveal.onUnasked(5); // its session closed
        assertEquals(0, reveal.waitNanos(5, 1_500 * MS), "nobody is fetching it: told the delay after it was added");
        reveal.onUnasked(5); // more departures than askers change nothing
        assertEquals(0, reveal.waitNanos(5, 1_500 * MS));
    }

    @Test
    void aChunkNoLongerRememberedIsToldAtOnce() {
        reveal.onAdded(5, 0);
        reveal.onAdded(13, 0); // the same slot in a memory of 8
        assertEquals(0, reveal.waitNanos(5, 0));
        assertEquals(0, reveal.waitNanos(99, 0));
        reveal.onSent(5, 0); // ignored: not 13's slot owner
        assertEquals(1_000 * MS, reveal.waitNanos(13, 0));
    }
}
