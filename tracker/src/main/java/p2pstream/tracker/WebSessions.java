package p2pstream.tracker;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import p2pstream.common.http.HttpRequest;

/**
 * The dashboard's logged-in browsers: a random 128-bit token, the value of an HttpOnly, SameSite=Strict cookie, to
 * the account it logged in to, valid {@link #LIFETIME_MILLIS} from the log-in. At most {@link #MAX_SESSIONS} (the
 * oldest forgotten first), so a flood of log-ins costs bounded memory, and at most {@link #MAX_SESSIONS_PER_SOURCE}
 * per account and per address (that one's oldest forgotten first), so one person logging in over and over forgets
 * their own sessions, not everyone's: pushing others out takes 64 accounts or addresses. Time from the registry
 * loop's clock. Registry loop only.
 */
final class WebSessions {
    static final String COOKIE = "p2ps_session";
    static final long LIFETIME_MILLIS = 12L * 3600 * 1000;
    static final int MAX_SESSIONS = 1024;
    static final int MAX_SESSIONS_PER_SOURCE = 16;
    private static final int TOKEN_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Session(String account, InetAddress from, long expiresNanos) {
    }

    /** In log-in order, oldest first. */
    private final Map<String, Session> byToken = new LinkedHashMap<>();

    /** A new session for {@code account}, logged in from {@code from}; its token. */
    String open(String account, InetAddress from, long nowNanos) {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        dropOldest(s -> s.account.equals(account), MAX_SESSIONS_PER_SOURCE);
        dropOldest(s -> s.from.equals(from), MAX_SESSIONS_PER_SOURCE);
        dropOldest(s -> true, MAX_SESSIONS);
        byToken.put(token, new Session(account, from, nowNanos + LIFETIME_MILLIS * 1_000_000));
        return token;
    }

    /** Makes room for one more of the sessions {@code which} picks: when {@code max} are kept, the oldest goes. */
    private void dropOldest(Predicate<Session> which, int max) {
        if (byToken.values().stream().filter(which).count() < max) {
            return;
        }
        Iterator<Session> sessions = byToken.values().iterator();
        while (sessions.hasNext()) {
            if (which.test(sessions.next())) {
                sessions.remove();
                return;
            }
        }
    }

    /** The account {@code token} is logged in to, or null (none, unknown or expired: then forgotten). */
    String account(String token, long nowNanos) {
        Session s = token == null ? null : byToken.get(token);
        if (s == null) {
            return null;
        }
        if (s.expiresNanos - nowNanos <= 0) {
            byToken.remove(token);
            return null;
        }
        return s.account;
    }

    void close(String token) {
        if (token != null) {
            byToken.remove(token);
        }
    }

    int size() {
        return byToken.size();
    }

    /** The session token a request's Cookie header carries, or null. Any thread. */
    static String token(HttpRequest request) {
        String cookies = request.header("Cookie");
        if (cookies == null) {
            return null;
        }
        for (String c : cookies.split(";")) {
            String pair = c.strip();
            if (pair.startsWith(COOKIE + "=")) {
                String value = pair.substring(COOKIE.length() + 1);
                return value.length() == TOKEN_BYTES * 2 && value.chars().allMatch(WebSessions::isHex) ? value : null;
            }
        }
        return null;
    }

    /** The Set-Cookie value that keeps {@code token} in the browser: never readable by scripts, never cross-site. */
    static String setCookie(String token) {
        return COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + LIFETIME_MILLIS / 1000;
    }

    /** The Set-Cookie value that drops it. */
    static String clearCookie() {
        return COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
    }

    private static boolean isHex(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
    }
}
