package p2pstream.tracker;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Consumer;
import p2pstream.common.access.AccountName;
import p2pstream.common.access.GuessLimit;
import p2pstream.common.access.PasswordHash;
import p2pstream.common.http.HttpExchange;
import p2pstream.common.http.HttpHeaders;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.PeerId;

/**
 * The dashboard's log-in: {@code POST /login} checks an account's password through {@link Accounts} (the same brake
 * per account and per address as a session's ACCOUNT, the hash on the store's thread) and sets a session cookie
 * ({@link WebSessions}); {@code POST /logout} drops it; {@link #viewer} says who looks at the page and the private
 * streams any of the account's devices may read ({@link GrantedScan}). A form from another origin is refused. Handlers
 * run on the exchange's loop; the sessions and the scan live on the registry loop.
 */
final class DashboardLogin {
    /** Who looks at the dashboard: an account (null: nobody logged in), what it may see, and a word on a log-in. */
    record Viewer(String account, int devices, List<GrantedScan.Row> rows, String notice) {
    }

    private final Tracker tracker;
    private final Accounts accounts;
    private final WebSessions sessions = new WebSessions();

    DashboardLogin(Tracker tracker, Accounts accounts) {
        this.tracker = tracker;
        this.accounts = accounts;
    }

    void onLogIn(HttpExchange ex) {
        if (!sameOrigin(ex)) {
            return;
        }
        String name = ex.request().formParameter("name");
        String password = ex.request().formParameter("password");
        if (!AccountName.isValid(name) || password == null || password.isEmpty()
                || password.length() > PasswordHash.MAX_PASSWORD_CHARS) {
            redirect(ex, "/?login=bad", null);
            return;
        }
        char[] chars = password.toCharArray();
        InetAddress from = ex.remoteAddress().getAddress();
        EventLoop registry = tracker.registryLoop();
        registry.execute(() -> accounts.check(name, chars, from, v -> {
            String cookie = v.outcome() == Accounts.Outcome.OK
                    ? WebSessions.setCookie(sessions.open(name, GuessLimit.sourceOf(from), registry.nanoTime())) : null;
            String where = switch (v.outcome()) {
                case OK -> "/";
                case WRONG_PASSWORD, NO_ACCOUNT -> "/?login=wrong";
                case WAIT -> "/?login=wait";
                default -> "/?login=failed";
            };
            ex.loop().execute(() -> redirect(ex, where, cookie));
        }));
    }

    void onLogOut(HttpExchange ex) {
        if (!sameOrigin(ex)) {
            return;
        }
        String token = WebSessions.token(ex.request());
        tracker.registryLoop().execute(() -> {
            sessions.close(token);
            ex.loop().execute(() -> redirect(ex, "/", WebSessions.clearCookie()));
        });
    }

    /** Who looks at the page and what they may see, to {@code then} on the exchange's loop. */
    void viewer(HttpExchange ex, Consumer<Viewer> then) {
        String token = WebSessions.token(ex.request());
        String notice = notice(ex.request().queryParameter("login"));
        EventLoop registry = tracker.registryLoop();
        registry.execute(() -> {
            String account = sessions.account(token, registry.nanoTime());
            if (account == null) {
                ex.loop().execute(() -> then.accept(new Viewer(null, 0, List.of(), notice)));
                return;
            }
            accounts.devices(account, answer -> {
                List<PeerId> devices = answer.ids(); // none when the store cannot say now: the page shows none
                GrantedScan scan = new GrantedScan(devices, registry.clock().epochMicros() / 1000);
                TrackerHttp.walk(tracker, scan, () -> {
                    Viewer v = new Viewer(account, devices.size(), List.copyOf(scan.rows()), notice);
                    ex.loop().execute(() -> then.accept(v));
                });
            });
        });
    }

    /** Fixed words for the page's {@code ?login=} (never the parameter's own text). */
    private static String notice(String login) {
        if (login == null) {
            return "";
        }
        return switch (login) {
            case "wrong" -> "wrong account or password: the next try from here waits a little longer each time";
            case "wait" -> "tries are slowed: wait a few seconds, then try again";
            case "bad" -> "an account name is 1 to 32 of a-z 0-9 _ . - and a password is needed";
            default -> "log-in failed: see the tracker's log";
        };
    }

    /**
     * A form posted from another site gets 403: no log-in on someone's behalf. Browsers say where a form came from in
     * Sec-Fetch-Site, and in Origin unless the page's no-referrer policy makes it "null".
     */
    private static boolean sameOrigin(HttpExchange ex) {
        String site = ex.request().header("Sec-Fetch-Site");
        String origin = ex.request().header("Origin");
        String host = ex.request().header("Host");
        boolean foreignOrigin = origin != null && !origin.equals("null") && !origin.equals("http://" + host);
        if (!foreignOrigin && (site == null || site.equals("same-origin") || site.equals("none"))) {
            return true;
        }
        ex.respond(403, new HttpHeaders().add("Content-Type", "text/plain; charset=utf-8"), "403 Forbidden: a form"
                + " from another site (expected: this page's own)\n");
        return false;
    }

    private static void redirect(HttpExchange ex, String where, String cookie) {
        if (!ex.isOpen()) {
            return;
        }
        HttpHeaders h = new HttpHeaders().add("Location", where).add("Cache-Control", "no-store")
                .add("Content-Type", "text/plain; charset=utf-8");
        if (cookie != null) {
            h.add("Set-Cookie", cookie);
        }
        ex.respond(303, h, "see " + where + "\n");
    }
}
