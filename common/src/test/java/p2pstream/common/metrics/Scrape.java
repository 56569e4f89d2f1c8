package p2pstream.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP client ({@link HttpClient}) for tests of the programs' pages and {@code /metrics}: fetches with a
 * timeout, and reads one sample's value from an exposition text. Test threads only.
 */
public final class Scrape {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    private Scrape() {
    }

    /** GET {@code url}; any status. */
    public static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET {@code url}, which must answer 200; its body. */
    public static String body(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = get(url);
        assertEquals(200, r.statusCode(), () -> url + ": " + r.body());
        return r.body();
    }

    /** The value of the sample {@code series} (a name, with its labels if any, as written) in {@code text}. */
    public static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        if (!m.find()) {
            fail("no sample " + series + " in:\n" + text);
        }
        return Double.parseDouble(m.group(1).replace("+Inf", "Infinity"));
    }
}
