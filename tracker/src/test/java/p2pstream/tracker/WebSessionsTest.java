package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** The dashboard's sessions: random tokens, expiry, the bound, and the cookie that carries them. */
class WebSessionsTest {
    private static final long HOUR_NANOS = 3_600_000_000_000L;

    @Test
    void aTokenNamesItsAccountUntilItExpiresOrIsClosed() {
        WebSessions s = new WebSessions();
        String a = s.open("alice", address(1), 0);
        String b = s.open("alice", address(1), 0);
        assertNotEquals(a, b);
        assertEquals(32, a.length());
        assertEquals("alice", s.account(a, 11 * HOUR_NANOS));
        assertNull(s.account(a, 12 * HOUR_NANOS), "expired after 12 h");
        assertEquals(1, s.size(), "and forgotten");
        s.close(b);
        assertNull(s.account(b, 0));
        assertNull(s.account(null, 0));
    }

    @Test
    void oneAccountOrAddressLoggingInOverAndOverForgetsOnlyItsOwnSessions() {
        WebSessions s = new WebSessions();
        String bob = s.open("bob", address(1), 0);
        String mallory = s.open("mallory", address(2), 0);
        for (int i = 0; i < 5 * WebSessions.MAX_SESSIONS_PER_SOURCE; i++) {
            s.open("mallory", address(3 + i), 0); // one account, many addresses
            s.open("m" + i, address(2), 0); // one address, many accounts
        }
        assertEquals("bob", s.account(bob, 0), "someone else's session stays");
        assertNull(s.account(mallory, 0), "the oldest of the account's and the address's went");
        assertEquals(2 * WebSessions.MAX_SESSIONS_PER_SOURCE + 1, s.size());
    }

    @Test
    void atMostMaxSessionsTheOldestDroppedFirst() {
        WebSessions s = new WebSessions();
        String first = s.open("a", address(0), 0);
        for (int i = 1; i < WebSessions.MAX_SESSIONS; i++) {
            s.open("a" + i, address(i), 0);
        }
        String last = s.open("b", address(WebSessions.MAX_SESSIONS), 0);
        assertEquals(WebSessions.MAX_SESSIONS, s.size());
        assertNull(s.account(first, 0));
        assertEquals("b", s.account(last, 0));
        String cookie = WebSessions.setCookie(last);
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict")
                && cookie.contains("Max-Age=43200"), cookie);
    }

    private static InetAddress address(int i) {
        try {
            return InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
