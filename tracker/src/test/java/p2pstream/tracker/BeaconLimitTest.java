package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The beacon's answer budget, on a clock the test moves. */
class BeaconLimitTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void oneSourceGetsItsShareOfASecondThenNothingUntilTheNext() throws Exception {
        BeaconLimit limit = new BeaconLimit();
        InetAddress a = InetAddress.getByName("10.0.0.2");
        long t = 5 * SECOND;
        for (int i = 0; i < BeaconLimit.ANSWERS_PER_SOURCE_PER_SECOND; i++) {
            assertTrue(limit.allow(a, t + i));
        }
        assertFalse(limit.allow(a, t + SECOND - 1));
        assertEquals(1, limit.refused());
        assertTrue(limit.allow(a, t + SECOND), "a new second, a new budget");
    }

    @Test
    void manySourcesTogetherGetNoMoreThanTheSecondsBudget() throws Exception {
        BeaconLimit limit = new BeaconLimit();
        int allowed = 0;
        for (int i = 0; i < 1_000; i++) { // forged sources, each new
            allowed += limit.allow(InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >> 8), (byte) i}), 0) ? 1 : 0;
        }
        assertEquals(BeaconLimit.ANSWERS_PER_SECOND, allowed);
        assertEquals(1_000 - BeaconLimit.ANSWERS_PER_SECOND, limit.refused());
        assertTrue(limit.allow(InetAddress.getByName("10.9.9.9"), SECOND));
    }

    @Test
    void aNoisySourceLeavesRoomForOthers() throws Exception {
        BeaconLimit limit = new BeaconLimit();
        InetAddress noisy = InetAddress.getByName("10.0.0.66");
        for (int i = 0; i < 100; i++) {
            limit.allow(noisy, i);
        }
        assertTrue(limit.allow(InetAddress.getByName("10.0.0.3"), 200));
    }
}
