package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;

/**
 * The tracker's dashboard log-in in a real headless Chromium (Selenium), against the built jars: the page offers a
 * log-in form; a wrong password is refused with a word on the page; the right one sets an HttpOnly, SameSite=Strict
 * session cookie and the page then shows the private file a peer-server shares {@code --allow alice}; logging out
 * shows the form again. A screenshot of the logged-in page is kept in target/ (dashboard-login.png).
 */
class DashboardLoginE2ETest {
    private static final Pattern HTTP = Pattern.compile("http listening on (http://\\S+/)");

    @TempDir
    Path dir;

    @Test
    @Timeout(300) // apt-get may have chromium to install first
    void aLoggedInUserSeesThePrivateFilesSharedWithTheirDevices() throws Exception {
        HeadlessChromium.ensure(dir);
        try (Processes processes = new Processes()) {
            Process trackerProcess = processes.start("tracker.jar", "127.0.0.1", "--port", "0", "--http", "0",
                    "--data", dir.resolve("data").toString());
            BufferedReader out = new BufferedReader(new InputStreamReader(trackerProcess.getInputStream(),
                    StandardCharsets.UTF_8));
            String tracker = null;
            String page = null;
            for (String line; page == null && (line = out.readLine()) != null; ) {
                Matcher t = Pattern.compile("tracker listening on (\\S+)").matcher(line);
                Matcher h = HTTP.matcher(line);
                if (t.find()) {
                    tracker = t.group(1);
                } else if (h.find()) {
                    page = h.group(1);
                }
            }
            assertTrue(tracker != null && page != null, "the tracker printed both addresses");
            Path password = Files.writeString(dir.resolve("alice.pw"), "correct horse battery staple\n");
            String device = dir.resolve("laptop.key").toString();
            Processes.Ended made = processes.client(tracker, "--register", "alice", "--password-file",
                    password.toString(), "--identity", device);
            assertEquals(0, made.status(), made.stderr());
            Processes.randomFile(dir.resolve("share/club"), "june.bin", 1 << 20, 63);
            processes.startAndAwaitPort("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker", tracker,
                    "--dir", dir.resolve("share").toString(), "--private", "--allow", "alice", "--identity",
                    dir.resolve("owner.key").toString());
            String at = tracker;
            await("alice's device lists the private file", () -> listing(processes, at, device)
                    .contains("club/june.bin (private)"));

            try (HeadlessChromium chromium = new HeadlessChromium(dir)) {
                WebDriver browser = chromium.driver();
                browser.manage().window().setSize(new Dimension(1100, 800));
                browser.get(page);
                Files.write(Path.of("target", "dashboard-login-form.png"), chromium.driver().getScreenshotAs(
                        OutputType.BYTES));
                logIn(browser, "not the password");
                assertTrue(browser.getPageSource().contains("wrong account or password"), browser.getPageSource());
                assertTrue(browser.findElements(By.name("password")).size() == 1, "the form again");
                // the brake: the next try from this address waits a second; the page says so until it is over
                long deadline = System.nanoTime() + 30_000_000_000L;
                do {
                    logIn(browser, "correct horse battery staple");
                } while (!browser.getPageSource().contains("logged in as alice") && System.nanoTime() < deadline);
                String html = browser.getPageSource();
                assertTrue(html.contains("logged in as alice (1 device)"), html);
                assertTrue(html.contains("Shared with alice") && html.contains("club/june.bin"), html);
                Cookie session = browser.manage().getCookieNamed("p2ps_session");
                assertTrue(session != null && session.isHttpOnly(), "an HttpOnly session cookie");
                assertEquals("Strict", session.getSameSite());
                assertEquals(32, session.getValue().length(), "128 random bits in hex");
                byte[] png = chromium.driver().getScreenshotAs(OutputType.BYTES);
                Files.write(Path.of("target", "dashboard-login.png"), png);
                assertTrue(png.length > 1000, "a screenshot");

                browser.findElement(By.xpath("//button[text()='log out']")).click();
                await("the log-in form again", () -> browser.findElements(By.name("password")).size() == 1);
                assertTrue(!browser.getPageSource().contains("club/june.bin"), "nothing private once logged out");
                assertTrue(browser.manage().getCookieNamed("p2ps_session") == null, "the cookie dropped");
            }
        }
    }

    private static void logIn(WebDriver browser, String password) {
        browser.findElement(By.name("name")).clear();
        browser.findElement(By.name("name")).sendKeys("alice");
        browser.findElement(By.name("password")).sendKeys(password);
        browser.findElement(By.xpath("//button[text()='log in']")).click();
    }

    private static String listing(Processes processes, String tracker, String key) {
        try {
            return processes.client(tracker, "--list", "--identity", key).out();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
