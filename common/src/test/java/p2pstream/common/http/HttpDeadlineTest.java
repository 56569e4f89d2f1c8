package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import p2pstream.common.net.Await;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.common.net.FakeClock;
import p2pstream.common.net.Loopback;

/**
 * The head deadline (slowloris), the keep-alive wait and the idle timeout, on a fake clock over real loopback
 * sockets: each closes at its time and not before, with a 408 only for a head that had started.
 */
class HttpDeadlineTest extends HttpFixture {
    private final FakeClock clock = new FakeClock();
    private final CountDownLatch parkedOver = new CountDownLatch(1);
    private EventLoop loop;

    @BeforeEach
    void startOnFakeClock() throws Exception {
        group = new EventLoopGroup("http", 1, clock);
        loop = group.loops().get(0);
        start(new Router().exact("/hello", ex -> ex.respond(200, "text/plain", "hello"))
                .exact("/never", ex -> ex.onClose(parkedOver::countDown)));
    }

    /** Moves the clock, then lets the loop run its due timers and its idle sweep. */
    private void advance(long millis) throws Exception {
        clock.advanceMillis(millis);
        settle();
    }

    /** Two round trips through the loop: tasks queued and timers due before the first have run. */
    private void settle() throws Exception {
        Loopback.onLoop(loop, () -> null);
        Loopback.onLoop(loop, () -> null);
    }

    /** Moves the clock to 1 ms before {@code millis} from now, checks nothing closed, then moves it the last 1 ms. */
    private void openUntil(long millis, String what) throws Exception {
        advance(millis - 1);
        assertTrue(Loopback.onLoop(loop, () -> server.connections().stream().allMatch(c -> c.connection().isOpen())),
                "1 ms before " + what);
        advance(1);
    }

    /** Bytes the server read on its one connection. */
    private long bytesRead() {
        try {
            return Loopback.onLoop(loop, () -> server.connections().iterator().next().connection().bytesRead());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Connects and waits until the server has opened the connection (its deadline armed). */
    private RawHttpClient open() throws Exception {
        RawHttpClient c = connect();
        await("accepted", () -> server.connectionCount() == 1);
        settle();
        await("opened", () -> server.connections().size() == 1);
        return c;
    }

    @Test
    void aHeadDribbledByteByByteGets408AtTheDeadlineNotBefore() throws Exception {
        try (RawHttpClient c = open()) {
            c.send("GET /hello HTTP/1.1\r\n");
            byte[] rest = "Host: localhost\r\n".getBytes(StandardCharsets.US_ASCII);
            long limit = HttpLimits.HEAD_TIMEOUT_MILLIS;
            for (int i = 0; i < 9; i++) {
                c.sendBytes(new byte[] {rest[i]});
                advance(limit / 10); // a byte a second: never idle, never done
            }
            openUntil(limit / 10, "the deadline");
            RawHttpClient.Response r = c.read(false);
            assertEquals(408, r.status());
            assertEquals("close", r.header("Connection"));
            c.expectEof();
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedSilentlyAtTheDeadline() throws Exception {
        try (RawHttpClient c = open()) {
            openUntil(HttpLimits.HEAD_TIMEOUT_MILLIS, "the deadline");
            c.expectEof(); // no 408: there was no request to answer
        }
    }

    @Test
    void aKeptAliveConnectionWaitsForItsNextRequestThenClosesSilently() throws Exception {
        try (RawHttpClient c = open()) {
            assertEquals("hello", c.get("/hello").text());
            settle();
            openUntil(HttpLimits.KEEP_ALIVE_MILLIS, "the end of the keep-alive time");
            c.expectEof();
        }
    }

    @Test
    void theNextHeadHasItsOwnDeadlineFromItsFirstByte() throws Exception {
        try (RawHttpClient c = open()) {
            assertEquals("hello", c.get("/hello").text());
            settle();
            advance(HttpLimits.KEEP_ALIVE_MILLIS - 1);
            long before = bytesRead();
            c.send("GET /hel");
            await("the first bytes taken", () -> bytesRead() == before + 8);
            openUntil(HttpLimits.HEAD_TIMEOUT_MILLIS, "the head deadline (the keep-alive wait ended)");
            assertEquals(408, c.read(false).status());
            c.expectEof();
        }
    }

    @Test
    void aResponseStalledPastTheIdleTimeoutIsClosedWithoutAnErrorFrame() throws Exception {
        try (RawHttpClient c = open()) {
            c.send(RawHttpClient.request("GET", "/never"));
            await("the request parked", () -> bytesRead() > 0);
            settle();
            advance(HttpLimits.IDLE_TIMEOUT_MILLIS + 1_000);
            Await.await(parkedOver, "the parked exchange told");
            c.expectEof(); // not a byte: an HTTP client must never see a binary ERROR frame
        }
    }
}
