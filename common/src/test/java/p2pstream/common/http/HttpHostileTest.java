package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import p2pstream.common.net.Await;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.HostileSends;
import p2pstream.common.net.Loopback;
import p2pstream.common.net.Trial;

/**
 * Hostile HTTP clients against a real HTTP server on loopback (docs/ROBUSTNESS.md): a slowloris head, an oversized
 * head, a flood of connections beyond the limits and a client that never reads its endless body; each is cut off
 * at its bound while a good client keeps being served.
 */
class HttpHostileTest extends HttpFixture {
    private static final long HEAD_MILLIS = 1_000;
    private static final long IDLE_MILLIS = 2_000;
    private static final int HIGH_WATERMARK_BYTES = 1024 * 1024;
    private static final int PIECE_BYTES = 64 * 1024;

    private void startDemo(HttpLimits limits) throws IOException {
        start(DemoRoutes.router(dir).exact("/endless", this::endless), limits);
    }

    private final AtomicLong maxPending = new AtomicLong();
    private final AtomicBoolean waiting = new AtomicBoolean();
    private final CountDownLatch endlessOver = new CountDownLatch(1);

    private void endless(HttpExchange ex) {
        ex.respond(200, new HttpHeaders().add("Content-Type", "video/mp2t"), -1);
        ex.onClose(endlessOver::countDown);
        new BodyPump(ex, PIECE_BYTES, maxPending, waiting, new AtomicInteger()).run();
    }

    private static void assertServed(RawHttpClient good) throws IOException {
        assertEquals(DemoRoutes.HELLO, good.get("/hello").text(), "a good client is served");
    }

    @HostileCase(value = "HTTP slowloris: a head dribbled a byte every 100 ms, never idle (HTTP server, head deadline"
            + " 1 s)", expect = "408 then EOF at the deadline; a good client is served meanwhile",
            section = HostileCase.FLOODS)
    void aSlowlorisHeadGets408AtTheDeadline(Trial trial) throws Exception {
        startDemo(HttpLimits.DEFAULTS.withHeadTimeoutMillis(HEAD_MILLIS));
        try (RawHttpClient good = connect(); RawHttpClient slow = connect()) {
            long start = System.nanoTime();
            byte[] head = ("GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "s".repeat(1000)).getBytes(
                    StandardCharsets.US_ASCII);
            AtomicInteger sent = HostileSends.dribble(slow::sendBytes, head, 100_000_000L);
            assertServed(good);
            RawHttpClient.Response r = slow.read(false);
            trial.recordSecondsSince("seconds until 408", start);
            trial.record("head bytes sent", sent.get());
            assertEquals(408, r.status());
            slow.expectEof();
            assertTrue(System.nanoTime() - start >= HEAD_MILLIS * 900_000, "closed before the deadline");
            assertServed(good);
        }
    }

    @HostileCase(value = "HTTP oversized head: 1 KiB header lines without end (HTTP server, heads of 32 KiB at most)",
            expect = "431 then EOF once 32 KiB hold no whole head; the read buffer stays within 32 KiB; a good client"
                    + " is served", section = HostileCase.FLOODS)
    void anOversizedHeadGets431AndNoMoreThanAHeadOfBuffer(Trial trial) throws Exception {
        startDemo(HttpLimits.DEFAULTS);
        try (RawHttpClient good = connect(); RawHttpClient big = connect()) {
            big.send("GET /hello HTTP/1.1\r\nHost: localhost\r\n");
            AtomicLong sent = HostileSends.flood(big::sendBytes, ("X-Big: " + "b".repeat(1017) + "\r\n").getBytes(
                    StandardCharsets.US_ASCII));
            RawHttpClient.Response r = big.read(false);
            assertEquals(431, r.status());
            assertTrue(r.text().contains("head"), r.text());
            trial.record("KiB sent until the answer", sent.get() / 1024.0);
            long held = 0;
            for (EventLoop loop : group.loops()) {
                held += Loopback.onLoop(loop, loop::readBufferBytes);
            }
            trial.record("read-buffer KiB held", held / 1024.0);
            assertTrue(held <= 2L * RequestParser.MAX_HEAD_BYTES, "read buffers: " + held + " bytes");
            big.expectEof();
            assertServed(good);
        }
    }

    @HostileCase(value = "HTTP connection flood: 10 beyond 32 per address, 10 beyond 64 in all (HTTP server)",
            expect = "each extra gets 503 then EOF; clients from another address are served; a freed slot is taken"
                    + " again", section = HostileCase.FLOODS)
    void connectionsBeyondTheLimitsGet503(Trial trial) throws Exception {
        startDemo(HttpLimits.DEFAULTS.withConnections(64, 32));
        List<RawHttpClient> held = new ArrayList<>();
        int refused = 0;
        try {
            for (String from : List.of("127.0.0.1", "127.0.0.2")) {
                for (int i = 0; i < 32; i++) {
                    RawHttpClient c = RawHttpClient.connectFrom(InetAddress.getByName(from), server.localAddress());
                    held.add(c);
                    assertServed(c);
                }
                refused += refusedOf(from, 10);
            }
            refused += refusedOf("127.0.0.3", 10);
            trial.record("connections refused with 503", refused);
            assertEquals(30, refused);
            held.remove(0).close();
            await("the closed connection's slot is free", () -> server.connectionCount() == 63);
            try (RawHttpClient again = connect()) {
                assertServed(again);
            }
        } finally {
            for (RawHttpClient c : held) {
                c.close();
            }
        }
    }

    private int refusedOf(String from, int count) throws IOException {
        int refused = 0;
        for (int i = 0; i < count; i++) {
            try (RawHttpClient extra = RawHttpClient.connectFrom(InetAddress.getByName(from), server.localAddress())) {
                RawHttpClient.Response r = extra.read(false);
                assertEquals(503, r.status(), r.text());
                extra.expectEof();
                refused++;
            }
        }
        return refused;
    }

    @HostileCase(value = "HTTP client that never reads an endless body (HTTP server, watermark 1 MiB, idle 2 s)",
            expect = "queued bytes stay within the high watermark and a piece; closed at the idle timeout; a good"
                    + " client is served", section = HostileCase.FLOODS)
    void aClientThatNeverReadsIsBoundedThenClosed(Trial trial) throws Exception {
        startDemo(HttpLimits.DEFAULTS.withWatermarks(HIGH_WATERMARK_BYTES, HIGH_WATERMARK_BYTES / 4)
                .withIdleTimeoutMillis(IDLE_MILLIS));
        try (RawHttpClient good = connect(); RawHttpClient stuck = RawHttpClient.connect(server.localAddress(),
                16 * 1024)) {
            stuck.send(RawHttpClient.request("GET", "/endless"));
            long start = System.nanoTime();
            await("the body waits for the client", waiting::get);
            assertServed(good);
            Await.await(endlessOver, "the stuck exchange over");
            trial.recordSecondsSince("seconds until closed", start);
            trial.record("peak queued KiB", maxPending.get() / 1024.0);
            long bound = HIGH_WATERMARK_BYTES + PIECE_BYTES + 64;
            assertTrue(maxPending.get() <= bound, "queued " + maxPending.get() + " (expected: <= " + bound + ")");
            assertTrue(System.nanoTime() - start >= IDLE_MILLIS * 900_000, "closed before the idle timeout");
        }
        try (RawHttpClient later = connect()) {
            assertServed(later); // the first good client, idle as long, was closed too
        }
    }
}
