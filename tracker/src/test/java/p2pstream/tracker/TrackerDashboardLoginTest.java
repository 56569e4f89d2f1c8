package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.access.AccountAnswer;
import p2pstream.common.access.AccountRequest;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.RawClient;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.MessageType;

/**
 * The dashboard's log-in over real HTTP: a form from another site is 403 and logs no one in (Origin naming another
 * host, or Sec-Fetch-Site cross-site), a malformed one is sent back to the form, and the right password from this
 * page sets the session cookie with which the page names the account.
 */
class TrackerDashboardLoginTest extends TrackerHttpFixture {
    private static final String PASSWORD = "correct horse battery staple";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path data;

    @Override
    Tracker.Config configure(Tracker.Config config) {
        return config.withAccounts(data.resolve("tracker"), 10);
    }

    private HttpResponse<String> logIn(String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "login")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFormFromAnotherSiteIsRefusedAndOneFromThisPageLogsIn() throws Exception {
        try (RawClient c = RawClient.secure(tracker.address(), StaticKey.of(Identity.generate()))) {
            c.trackerHello(0);
            c.send(new AccountRequest(AccountRequest.Op.REGISTER, "alice", PASSWORD.toCharArray()));
            assertEquals(1, c.expect(MessageType.ACCOUNT, AccountAnswer::decode).devices());
        }
        String form = "name=alice&password=" + PASSWORD.replace(' ', '+');

        HttpResponse<String> foreign = logIn(form, "Origin", "http://evil.example");
        assertEquals(403, foreign.statusCode(), foreign.body());
        assertTrue(foreign.headers().firstValue("Set-Cookie").isEmpty(), "no session for a foreign form");
        HttpResponse<String> crossSite = logIn(form, "Sec-Fetch-Site", "cross-site");
        assertEquals(403, crossSite.statusCode(), crossSite.body());

        HttpResponse<String> bad = logIn("name=Not+A+Name&password=x", "Sec-Fetch-Site", "same-origin");
        assertEquals(303, bad.statusCode());
        assertEquals("/?login=bad", bad.headers().firstValue("Location").orElse(""));

        HttpResponse<String> in = logIn(form, "Sec-Fetch-Site", "same-origin");
        assertEquals(303, in.statusCode(), in.body());
        assertEquals("/", in.headers().firstValue("Location").orElse(""));
        String cookie = in.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(cookie.startsWith(WebSessions.COOKIE + "=") && cookie.contains("HttpOnly"), cookie);

        String token = cookie.substring(0, cookie.indexOf(';'));
        String page = HTTP.send(HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(30))
                .header("Cookie", token).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(page.contains("logged in as alice (1 device)"), page);
        String anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertFalse(anonymous.contains("logged in as"), anonymous);
    }
}
