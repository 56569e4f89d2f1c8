package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import p2pstream.common.tools.Tools;

/**
 * Debian's headless Chromium driven through its chromedriver with Selenium, on a test page (player.html) with one
 * {@code <video>}, served from a loopback port of its own: it plays a URL, seeks, and reports the element's state.
 * Test threads only.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final long POLL_MILLIS = 100;
    private final HttpServer pageServer;
    private final ChromeDriver driver;
    private final String pageUrl;

    /** What the page's {@code <video>} reports (player.html's state()); duration -1 is live, -2 unknown. */
    record Media(double currentTime, long readyState, long videoWidth, double duration, boolean paused,
                 boolean seeking, String error, String buffered, String events) {
        /** Decoding pictures: no error, a picture size, and at least the current frame (HAVE_CURRENT_DATA). */
        boolean decoding() {
            return error.isEmpty() && videoWidth > 0 && readyState >= 2;
        }

        @Override
        public String toString() {
            return String.format("currentTime %.2f, readyState %d, videoWidth %d, duration %.2f, paused %b, seeking %b,"
                            + " error '%s', buffered [%s]; events:%n%s", currentTime, readyState, videoWidth, duration,
                    paused, seeking, error, buffered, events);
        }
    }

    /** Installs chromium and chromium-driver where missing (skips the test where they cannot be). */
    static void ensure(Path logDir) throws IOException, InterruptedException {
        Tools.ensure(logDir, "chromium:chromium", "chromedriver:chromium-driver");
    }

    /** Starts the page server and Chromium (profile and chromedriver log under {@code dir}), on the test page. */
    HeadlessChromium(Path dir) throws IOException {
        byte[] page;
        try (InputStream in = HeadlessChromium.class.getResourceAsStream("player.html")) {
            if (in == null) {
                throw new IOException("player.html missing from the test classpath");
            }
            page = in.readAllBytes();
        }
        pageServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pageServer.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        pageServer.start();
        pageUrl = "http://127.0.0.1:" + pageServer.getAddress().getPort() + "/player.html";
        // the binaries are given, so Selenium Manager (which would download a driver) is never asked
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(onPath("chromedriver").toFile())
                .usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(onPath("chromium").toFile());
        // as root in a container, with no network but loopback: no sandbox, no GPU, nothing that phones home
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--mute-audio", "--autoplay-policy=no-user-gesture-required",
                "--user-data-dir=" + dir.resolve("chromium-profile"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            pageServer.stop(0);
            throw e;
        }
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
        driver.get(pageUrl);
    }

    /** The browser itself, for a test that drives a page of its own (the tracker's dashboard). */
    ChromeDriver driver() {
        return driver;
    }

    /** What {@code <video>.canPlayType(type)} answers: "", "maybe" or "probably". */
    String canPlayType(String type) {
        return (String) script("return document.createElement('video').canPlayType(arguments[0]);", type);
    }

    /** Loads {@code url} into the page's {@code <video>} and plays it from the start. */
    void play(String url) {
        script("play(arguments[0]);", url);
    }

    void seek(double seconds) {
        script("seek(arguments[0]);", seconds);
    }

    Media media() {
        Map<?, ?> m = (Map<?, ?>) script("return state();");
        return new Media(number(m, "currentTime"), (long) number(m, "readyState"), (long) number(m, "videoWidth"),
                number(m, "duration"), (Boolean) m.get("paused"), (Boolean) m.get("seeking"), (String) m.get("error"),
                (String) m.get("buffered"), (String) m.get("events"));
    }

    /**
     * Polls the {@code <video>} until {@code condition} holds and returns that state; fails with the last state after
     * {@code seconds}, or at once on a media error.
     */
    Media await(String what, int seconds, Predicate<Media> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (true) {
            Media now = media();
            if (condition.test(now)) {
                return now;
            }
            if (!now.error().isEmpty()) {
                fail(what + ": the media element failed: " + now);
            }
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + seconds + " s waiting for: " + what + "; " + now);
            }
            LockSupport.parkNanos(Duration.ofMillis(POLL_MILLIS).toNanos());
        }
    }

    /** The browser console since the last call: page errors, refused loads, media warnings. */
    String consoleLog() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(e -> e.getLevel() + " " + e.getMessage()).collect(Collectors.joining("\n"));
    }

    private Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    private static double number(Map<?, ?> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    /** {@code command}'s file on the PATH (Debian: /usr/bin/chromium, /usr/bin/chromedriver). */
    private static Path onPath(String command) throws IOException {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin");
        return Stream.concat(Stream.of(path.split(File.pathSeparator)), Stream.of("/usr/bin"))
                .map(d -> Path.of(d, command)).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IOException(command + " not found on the PATH (" + path + ")"));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            pageServer.stop(0);
        }
    }
}
