package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import p2pstream.common.data.BufferData;
import p2pstream.common.data.FileData;
import p2pstream.common.net.Await;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.Loopback;

/**
 * Bodies: sendfile regions, chunks as they become available, responses parked and completed later, backpressure
 * against a client that does not read, and a client that leaves mid-body, over real loopback sockets.
 */
class HttpBodyTest extends HttpFixture {
    private static final int PIECE_BYTES = 64 * 1024;
    private static final HttpLimits SMALL_WATERMARKS = HttpLimits.DEFAULTS.withWatermarks(256 * 1024, 64 * 1024);

    private Path randomFile(String name, int bytes) throws IOException {
        byte[] content = new byte[bytes];
        new Random(bytes).nextBytes(content);
        return Files.write(dir.resolve(name), content);
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    @Test
    void aFileDataBodyGoesOutAsTheRegionItselfAndArrivesIdentical() throws Exception {
        Path file = randomFile("big.bin", 8 * 1024 * 1024 + 123);
        AtomicInteger releases = new AtomicInteger();
        AtomicLong leftAtRelease = new AtomicLong(-1);
        start(new Router().exact("/big", ex -> {
            try {
                FileChannel channel = FileChannel.open(file);
                long size = channel.size();
                FileData[] region = new FileData[1];
                region[0] = new FileData(channel, 0, size, () -> {
                    releases.incrementAndGet();
                    leftAtRelease.set(region[0].remaining()); // 0: the region wrote itself out (transferTo)
                    closeQuietly(channel);
                });
                ex.respond(200, new HttpHeaders().add("Content-Type", MediaTypes.of("big.bin")), size);
                ex.send(region[0]);
                ex.end();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }), SMALL_WATERMARKS);
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response r = c.get("/big");
            assertEquals(200, r.status());
            assertEquals("application/octet-stream", r.header("Content-Type"));
            assertArrayEquals(sha256(Files.readAllBytes(file)), sha256(r.body()), "SHA-256 of the body");
        }
        await("the region released", () -> releases.get() == 1);
        assertEquals(0, leftAtRelease.get(), "the FileData itself was written in full");
    }

    @Test
    void aParkedResponseIsCompletedLaterFromAnotherThreadAndThePipelinedNextWaits() throws Exception {
        BlockingQueue<HttpExchange> parked = new LinkedBlockingQueue<>();
        List<String> events = new CopyOnWriteArrayList<>();
        start(new Router().exact("/slow", ex -> {
            events.add("request slow");
            ex.onClose(() -> events.add("slow over"));
            parked.add(ex); // answered later, by another thread
        }).exact("/fast", ex -> {
            events.add("request fast");
            ex.respond(200, "text/plain", "fast");
        }));
        try (RawHttpClient c = connect()) {
            c.send(RawHttpClient.request("GET", "/slow") + RawHttpClient.request("GET", "/fast"));
            HttpExchange ex = parked.poll(Await.WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertTrue(ex != null, "the first request reached its handler");
            Thread other = new Thread(() -> ex.loop().execute(() -> ex.respond(200, "text/plain", "slow, at last")));
            other.start();
            other.join();
            assertEquals("slow, at last", c.read(false).text());
            assertEquals("fast", c.read(false).text());
        }
        assertEquals(List.of("request slow", "slow over", "request fast"), events, "one request at a time, in order");
    }

    @Test
    void aChunkedBodyIsSentPieceByPieceAsTheBytesArrive() throws Exception {
        List<String> pieces = List.of("first piece\n", "second\n", "and the third\n");
        start(new Router().exact("/live", ex -> {
            ex.respond(200, new HttpHeaders().add("Content-Type", "video/mp2t"), -1);
            EventLoop loop = ex.loop();
            for (int i = 0; i < pieces.size(); i++) {
                String piece = pieces.get(i);
                boolean last = i == pieces.size() - 1;
                loop.schedule(20L * (i + 1), () -> { // as a chunk arriving from peers later
                    ex.send(BufferData.of(ByteBuffer.wrap(piece.getBytes(StandardCharsets.US_ASCII))));
                    if (last) {
                        ex.end();
                    }
                });
            }
        }));
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response head = c.send(RawHttpClient.request("GET", "/live")).readHead();
            assertTrue(head.chunked());
            assertEquals(null, head.header("Content-Length"));
            for (String piece : pieces) {
                assertEquals(piece, new String(c.readChunk(), StandardCharsets.US_ASCII), "one chunk a piece");
            }
            assertEquals(0, c.readChunk().length, "the last chunk");
            assertEquals(200, c.send(RawHttpClient.request("GET", "/live")).readHead().status(), "kept alive");
        }
    }

    @Test
    void aClientThatDoesNotReadHoldsAtMostTheHighWatermarkAndAPiece() throws Exception {
        AtomicLong maxPending = new AtomicLong();
        AtomicBoolean waiting = new AtomicBoolean();
        AtomicInteger rounds = new AtomicInteger();
        CountDownLatch over = new CountDownLatch(1);
        start(new Router().exact("/endless", ex -> {
            ex.respond(200, new HttpHeaders().add("Content-Type", "video/mp2t"), -1);
            ex.onClose(over::countDown);
            new BodyPump(ex, PIECE_BYTES, maxPending, waiting, rounds).run();
        }), SMALL_WATERMARKS);
        long bound = SMALL_WATERMARKS.highWatermarkBytes() + PIECE_BYTES + 64;
        try (RawHttpClient c = RawHttpClient.connect(server.localAddress(), 16 * 1024)) {
            c.send(RawHttpClient.request("GET", "/endless"));
            await("the pump waits for writability", waiting::get);
            assertTrue(maxPending.get() <= bound, "queued " + maxPending.get() + " (expected: <= " + bound + ")");
            int before = rounds.get();
            c.input().readNBytes(4 * 1024 * 1024); // the client reads a while: the pump goes on, still bounded
            await("the pump resumed and waits again", () -> rounds.get() > before && waiting.get());
            assertTrue(maxPending.get() <= bound, "queued " + maxPending.get() + " (expected: <= " + bound + ")");
        }
        Await.await(over, "onClose once the client left");
    }

    @Test
    void aClientLeavingMidBodyEndsTheExchangeAndReleasesEverything() throws Exception {
        Path file = randomFile("movie.webm", 4 * 1024 * 1024);
        AtomicInteger made = new AtomicInteger();
        AtomicInteger released = new AtomicInteger();
        AtomicBoolean wroteAfterClose = new AtomicBoolean();
        CountDownLatch over = new CountDownLatch(1);
        FileChannel channel = FileChannel.open(file);
        start(new Router().exact("/movie", ex -> {
            AtomicBoolean closed = new AtomicBoolean();
            ex.onClose(() -> {
                closed.set(true);
                over.countDown();
            });
            ex.respond(200, new HttpHeaders().add("Content-Type", "video/webm"), -1);
            new Runnable() {
                private long position;

                @Override
                public void run() {
                    wroteAfterClose.compareAndSet(false, closed.get());
                    while (ex.isWritable()) {
                        long length = Math.min(PIECE_BYTES, 4L * 1024 * 1024 - position);
                        made.incrementAndGet();
                        ex.send(new FileData(channel, position, length, released::incrementAndGet));
                        position = (position + length) % (4L * 1024 * 1024); // round and round: endless
                    }
                    ex.onWritable(this);
                }
            }.run();
        }), SMALL_WATERMARKS);
        try (RawHttpClient c = connect()) {
            c.send(RawHttpClient.request("GET", "/movie")).readHead();
            c.input().readNBytes(1024 * 1024);
            c.abort();
        }
        Await.await(over, "onClose after the client left");
        await("the connection closed", () -> server.connectionCount() == 0);
        await("every region released", () -> released.get() == made.get());
        for (EventLoop loop : group.loops()) {
            assertEquals(0L, (long) Loopback.onLoop(loop, loop::readBufferBytes), "read buffers held");
        }
        assertFalse(wroteAfterClose.get(), "the writable task never ran after the exchange was over");
        channel.close();
    }

    @Test
    void aParkedExchangeLearnsThatTheClientLeft() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        CountDownLatch over = new CountDownLatch(1);
        start(new Router().exact("/wait", ex -> {
            ex.onClose(over::countDown); // e.g. a reader of a stream, removed
            parked.countDown();
        }));
        try (RawHttpClient c = connect()) {
            c.send(RawHttpClient.request("GET", "/wait"));
            Await.await(parked, "the request parked");
        }
        Await.await(over, "onClose of the parked exchange");
    }

    @Test
    void endingABodyShortOfItsLengthCutsTheConnection() throws Exception {
        AtomicBoolean threw = new AtomicBoolean();
        start(new Router().exact("/short", ex -> {
            ex.respond(200, new HttpHeaders(), 10);
            ex.send(BufferData.of(ByteBuffer.wrap("12345".getBytes(StandardCharsets.US_ASCII))));
            try {
                ex.end();
            } catch (IllegalStateException e) {
                threw.set(true);
            }
        }));
        try (RawHttpClient c = connect()) {
            RawHttpClient.Response head = c.send(RawHttpClient.request("GET", "/short")).readHead();
            assertEquals("10", head.header("Content-Length"));
            assertThrows(EOFException.class, () -> c.readBody(head), "the client sees the body cut short");
        }
        // end() cuts the connection, then throws: the client may see the cut before the loop thread sets the flag
        Await.await("end() said the handler broke its promise", threw::get);
    }

    @Test
    void respondingTwiceOrWithFramingHeadersIsRefusedAsABug() throws Exception {
        List<String> errors = new CopyOnWriteArrayList<>();
        start(new Router().exact("/bug", ex -> {
            try {
                ex.respond(200, new HttpHeaders().add("Content-Length", "3"), 3);
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
            try {
                ex.respond(200, new HttpHeaders().add("Connection", "close"), 3);
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> new HttpHeaders().add("X", "a\r\nSet-Cookie: x=1"));
            ex.respond(200, "text/plain", "ok");
            try {
                ex.respond(200, "text/plain", "again");
            } catch (IllegalStateException e) {
                errors.add(e.getMessage());
            }
        }));
        try (RawHttpClient c = connect()) {
            assertEquals("ok", c.get("/bug").text());
        }
        await("the handler's three mistakes refused", () -> errors.size() == 3); // it goes on after "ok" is out
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
