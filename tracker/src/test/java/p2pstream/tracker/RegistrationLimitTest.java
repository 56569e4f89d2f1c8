package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import p2pstream.common.net.FakeClock;

/** Registrations from one address: a burst, then one per refill period; other addresses unaffected. */
class RegistrationLimitTest {

    @Test
    void aBurstThenOneEveryRefillPeriodPerAddress() throws Exception {
        FakeClock clock = new FakeClock();
        RegistrationLimit limit = new RegistrationLimit(clock);
        InetAddress host = InetAddress.getByName("192.0.2.1");
        for (int i = 0; i < RegistrationLimit.BURST; i++) {
            assertEquals(0, limit.waitMillis(host), "registration " + (i + 1) + " of the burst");
            limit.onRegistered(host);
        }
        assertEquals(RegistrationLimit.REFILL_MILLIS, limit.waitMillis(host), "past the burst: one refill to wait");
        assertEquals(0, limit.waitMillis(InetAddress.getByName("192.0.2.2")), "another address is not slowed");
        clock.advanceMillis(RegistrationLimit.REFILL_MILLIS / 2);
        assertEquals(RegistrationLimit.REFILL_MILLIS / 2, limit.waitMillis(host));
        clock.advanceMillis(RegistrationLimit.REFILL_MILLIS / 2);
        assertEquals(0, limit.waitMillis(host), "one refilled");
        limit.onRegistered(host);
        assertTrue(limit.waitMillis(host) > 0, "and used");
        clock.advanceMillis(RegistrationLimit.BURST * RegistrationLimit.REFILL_MILLIS);
        for (int i = 0; i < RegistrationLimit.BURST; i++) {
            assertEquals(0, limit.waitMillis(host), "a whole burst again after a long quiet");
            limit.onRegistered(host);
        }
    }
}
