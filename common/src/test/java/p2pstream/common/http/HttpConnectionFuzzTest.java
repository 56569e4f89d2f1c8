package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pstream.common.fuzz.ConnectionFuzz;
import p2pstream.common.fuzz.Draw;
import p2pstream.common.fuzz.Mutator;
import p2pstream.common.wire.Wire;

/**
 * Damaged request streams against a real HTTP server on loopback: one to four valid heads, some damaged, or the
 * whole stream damaged, sent in one write and the sending side closed. Each connection must get well-formed
 * responses with statuses the server gives (a refusal last, its text or none for a HEAD), then EOF, never a hang
 * nor a reset, while a kept-alive client keeps being served. {@code -Dfuzz.connection.tries} sets the number of
 * connections, {@code -Dfuzz.seed} the seed.
 */
@Tag("fuzz")
class HttpConnectionFuzzTest extends HttpFixture {
    private static final int MAX_STREAM_BYTES = 16 * 1024;
    private static final Set<Integer> STATUSES = Set.of(200, 400, 403, 405, 414, 431, 505);

    private final long seed = ConnectionFuzz.seed();
    private final Draw draw = Draw.of(new Random(seed));
    private final Map<String, Integer> endings = new TreeMap<>();

    private byte[] nextStream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] donor = HttpHeadTargets.valid(draw).head();
        for (int i = draw.between(1, 4); i > 0; i--) {
            byte[] head = HttpHeadTargets.valid(draw).head();
            byte[] sent = draw.oneIn(3) ? Mutator.mutate(head, donor, MAX_STREAM_BYTES / 2, draw) : head;
            out.write(sent, 0, Math.min(sent.length, MAX_STREAM_BYTES - out.size()));
        }
        byte[] stream = out.toByteArray();
        return draw.oneIn(6) ? Mutator.mutate(stream, donor, MAX_STREAM_BYTES, draw) : stream;
    }

    /** Sends {@code stream}, half-closes, and checks every response until the server closes. */
    private void exchange(int attempt, byte[] stream) throws IOException {
        String what = "try " + attempt + " (seed " + seed + "): " + stream.length + " bytes " + Wire.hex(stream);
        try (RawHttpClient c = connect()) {
            c.sendBytes(stream);
            c.shutdownOutput();
            String ending = "EOF after answers";
            while (true) {
                int first = c.input().read();
                if (first < 0) {
                    break;
                }
                RawHttpClient.Response r = c.readHead(first);
                assertTrue(STATUSES.contains(r.status()), what + ": status " + r.status());
                assertEquals("nosniff", r.header("X-Content-Type-Options"), what);
                int length = Integer.parseInt(r.header("Content-Length"));
                if (r.status() != 200) {
                    byte[] rest = c.input().readAllBytes(); // a refusal is the last answer
                    assertTrue(rest.length == 0 || rest.length == length, what + ": " + rest.length
                            + " bytes after a refusal of " + length);
                    assertTrue(r.closes(), what + ": a refusal closes");
                    ending = "refused " + r.status();
                    break;
                }
                assertEquals(0, length, what);
            }
            endings.merge(ending, 1, Integer::sum);
        } catch (SocketException e) {
            throw new AssertionError(what + ": " + e, e);
        } catch (EOFException e) {
            throw new AssertionError(what + ": a response cut short: " + e.getMessage(), e);
        }
    }

    @Test
    void damagedRequestStreamsGetWellFormedAnswersThenEofWhileAGoodClientIsServed() {
        int tries = ConnectionFuzz.tries();
        assertTimeoutPreemptively(Duration.ofMillis(60_000 + 1_000L * tries), () -> {
            start(ex -> ex.respond(200, new HttpHeaders().add("X-Target", ex.request().target()), 0));
            try (RawHttpClient good = connect()) {
                for (int i = 1; i <= tries; i++) {
                    exchange(i, nextStream());
                    if (i % 20 == 0 || i == tries) {
                        assertEquals(200, good.get("/good").status(), "the kept-alive client after try " + i);
                    }
                }
                await("only the good client stays connected", () -> server.connectionCount() == 1);
            }
            await("no connection left", () -> server.connectionCount() == 0);
        });
        System.out.println("HttpConnectionFuzzTest: " + tries + " tries (seed " + seed + "), endings " + endings);
        assertTrue(endings.keySet().stream().anyMatch(e -> e.startsWith("refused")), "some are refused: " + endings);
        assertTrue(endings.containsKey("EOF after answers"), "some are answered: " + endings);
    }
}
