package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.wire.ErrorCode.RATE_LIMITED;
import static p2pstream.peer.server.PeerSteps.checkChunk;
import static p2pstream.peer.server.PeerSteps.fetchAll;
import static p2pstream.peer.server.PeerSteps.peerHello;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.HostileSends;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Reject;
import p2pstream.peer.client.Download;
import p2pstream.peer.client.Stats;
import p2pstream.peer.store.Manifest;

/**
 * A peer-server's limits under floods: connections beyond the maximum, a client that pipelines far more
 * requests than the queue holds and never reads, and frames beyond the per-second rate. Others keep being served.
 */
class PeerServerLimitsTest extends PeerServerFixture {

    /**
     * A server that takes 2 connections streams to a real viewer (capped, so it is mid-stream) while a raw
     * client holds the other slot; 20 more connections each get TOO_MANY_CONNECTIONS then EOF at once, the
     * viewer's stream completes with the file's SHA-256, and a freed slot is taken again.
     */
    @HostileCase(value = "Connections beyond the limit: 20 over 2 while a viewer streams (peer-server)",
            expect = "each extra gets ERROR TOO_MANY_CONNECTIONS then EOF; the viewer's stream completes with identical"
                    + " SHA-256; the raw client keeps getting chunks; a freed slot is reused", section = HostileCase.FLOODS)
    @Timeout(60)
    void connectionsBeyondTheLimitGetTooManyConnectionsThenCloseAndAStreamingViewerCompletes(Trial trial) throws Exception {
        PeerServer.Config small = PeerServer.Config.loopback(tracker.address(), dir).withMaxConnections(2)
                .withUploadLimit(FILE_BYTES); // about a second for the viewer's stream
        server.close(); // the fixture's: the capped one below announces the same file
        try (PeerServer s = PeerServer.start(small)) {
            s.announced().get(10, TimeUnit.SECONDS);
            Manifest m = s.manifests().get(0);
            List<RawClient> open = new ArrayList<>();
            try {
                RawClient holder = PeerSteps.connect(s.address());
                open.add(holder);
                peerHello(holder, m);
                CompletableFuture<Stats> viewer = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Download.run(Download.Config.of(tracker.address(), "movie.bin").withUpload(false)
                                .withOutputFile(dir.resolve("viewer.bin")));
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
                await("the viewer connected", () -> s.connectionCount() == 2);
                int extras = 20;
                for (int i = 0; i < extras; i++) {
                    try (RawClient extra = PeerSteps.connect(s.address())) {
                        extra.expectErrorThenEof(ErrorCode.TOO_MANY_CONNECTIONS);
                    }
                }
                boolean midStream = !viewer.isDone();
                Stats stats = viewer.get(30, TimeUnit.SECONDS);
                assertEquals(sha256(file), stats.sha256(), "the viewer's stream");
                assertTrue(midStream, "the viewer finished before the extras were refused: nothing was tested");
                trial.record("extras refused with ERROR TOO_MANY_CONNECTIONS then EOF", extras);
                trial.record("viewer streams completed with identical SHA-256", 1);
                fetchAll(holder, m, file);
                open.remove(0).close();
                await("a slot frees up", () -> s.connectionCount() == 0);
                RawClient again = PeerSteps.connect(s.address());
                open.add(again);
                peerHello(again, m);
                fetchAll(again, m, file);
            } finally {
                for (RawClient c : open) {
                    c.close();
                }
            }
        }
    }

    /**
     * A PING flood past the 50,000 frames a second a serving connection may send: PONGs up to the limit, then
     * RATE_LIMITED and EOF; a good client is unaffected.
     */
    @HostileCase(value = "Frame flood: 51,000 PINGs in one burst after HELLO (peer-server, 50,000 frames/s)",
            expect = "PONGs up to the limit, then ERROR RATE_LIMITED then EOF; a good client keeps getting chunks",
            section = HostileCase.FLOODS)
    @Timeout(60)
    void floodOfPingsBeyondTheFrameRateGetsRateLimitedThenClose(Trial trial) throws Exception {
        int limit = PeerServer.LIMITS.maxFramesPerSecond();
        try (RawClient good = connect(); RawClient flood = connect()) {
            peerHello(good, manifest);
            peerHello(flood, manifest);
            int burst = limit + 1_000;
            ByteBuffer b = ByteBuffer.allocate(burst * Frames.HEADER_BYTES);
            for (int i = 0; i < burst; i++) {
                Frames.encode(EmptyMessage.PING, b);
            }
            flood.sendBytes(b.array());
            fetchAll(good, manifest, file);
            int pongs = HostileSends.answersBeforeError(flood, MessageType.PONG, RATE_LIMITED);
            flood.expectEof();
            assertTrue(pongs < limit, "PONGs before the limit: " + pongs);
            trial.record("PONGs before ERROR RATE_LIMITED", pongs);
            fetchAll(good, manifest, file);
            await("only the good client stays connected", () -> server.connectionCount() == 1);
        }
    }

    /**
     * One client pipelines 2000 REQUESTs for chunks 0..n-1 over and over and does not read; a second client
     * is served at once; then the first reads and gets an answer to every request: a CHUNK with the right
     * bytes, or REJECT (overloaded) for requests beyond the server's queue of 256.
     */
    @Test
    @Timeout(180)
    void clientThatPipelines2000RequestsAndNeverReadsDoesNotStarveOthersAndIsServedOnceItReads() throws Exception {
        int n = manifest.chunkCount();
        int requests = 2000;
        try (RawClient greedy = connect();
             RawClient other = connect()) {
            peerHello(greedy, manifest);
            ByteBuffer burst = ByteBuffer.allocate(requests * (Frames.HEADER_BYTES + 4));
            for (int i = 0; i < requests; i++) {
                Frames.encode(IndexMessage.request(i % n), burst);
            }
            greedy.sendBytes(burst.array());

            long start = System.nanoTime();
            peerHello(other, manifest);
            for (int round = 0; round < 5; round++) {
                fetchAll(other, manifest, file);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 10_000, "the other client got 5 MiB in " + millis + " ms while the greedy one stalls");

            int chunks = 0;
            int rejects = 0;
            while (chunks + rejects < requests) {
                RawClient.Frame f = greedy.read();
                if (f.type() == MessageType.CHUNK.code()) {
                    checkChunk(f, manifest, file);
                    chunks++;
                } else if (f.type() == MessageType.REJECT.code()) {
                    Reject r = Reject.decode(f.buffer());
                    assertEquals(Reject.Reason.OVERLOADED, r.reason(), "only overload rejects");
                    rejects++;
                } else {
                    fail("after " + chunks + " chunks and " + rejects + " rejects: " + f.describe());
                }
            }
            assertEquals(requests, chunks + rejects);
            assertTrue(chunks >= ServerSession.MAX_QUEUED_REQUESTS, "chunks served: " + chunks);
            greedy.send(EmptyMessage.PING);
            assertEquals(MessageType.PONG.code(), greedy.read().type(), "nothing more than one answer per request");
            fetchAll(other, manifest, file);
        }
        await("no connections left", () -> server.connectionCount() == 0);
    }

    /**
     * A flood of more frames in one burst than a server connection may receive per second (HAVEs, which need
     * no answer): RATE_LIMITED, then close; the good client is unaffected.
     */
    @Test
    @Timeout(60)
    void floodOfFramesBeyondTheFrameRateGetsRateLimitedThenClose() throws Exception {
        int limit = PeerServer.LIMITS.maxFramesPerSecond();
        try (RawClient good = connect();
             RawClient flood = connect()) {
            peerHello(good, manifest);
            peerHello(flood, manifest);
            // HELLO + limit HAVEs: the last HAVE is one frame too many, and nothing follows it
            ByteBuffer burst = ByteBuffer.allocate(limit * (Frames.HEADER_BYTES + 4));
            for (int i = 0; i < limit; i++) {
                Frames.encode(IndexMessage.have(i % manifest.chunkCount()), burst);
            }
            flood.sendBytes(burst.array());
            flood.expectErrorThenEof(RATE_LIMITED);
            fetchAll(good, manifest, file);
            await("only the good client stays connected", () -> server.connectionCount() == 1);
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
