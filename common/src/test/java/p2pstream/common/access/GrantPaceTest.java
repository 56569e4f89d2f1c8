package p2pstream.common.access;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Two grants at once, then one a second; a sender at one a second is taken whatever the bunching. */
class GrantPaceTest {
    private static final long S = GrantPace.INTERVAL_NANOS;

    @Test
    void twoAtOnceThenOneASecond() {
        GrantPace p = new GrantPace();
        assertTrue(p.take(0));
        assertTrue(p.take(1));
        assertFalse(p.take(2), "a third at once");
        assertFalse(p.take(S - 1));
        assertTrue(p.take(S + 1));
        assertFalse(p.take(S + 2));
    }

    @Test
    void aSenderAtOneASecondIsNeverRefusedWhenTheNetworkBunchesItsGrants() {
        GrantPace p = new GrantPace();
        // sent at 0, 1, 2, 3 ... s; the first delayed 900 ms, then one 700 ms late and the next on time
        long[] arrivals = {900_000_000L, S + 950_000_000L, 2 * S + 10_000_000L, 3 * S + 700_000_000L, 4 * S + 1,
            5 * S, 6 * S};
        for (long at : arrivals) {
            assertTrue(p.take(at), "arrival at " + at);
        }
    }
}
