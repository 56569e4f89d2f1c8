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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Reject;
import p2pstream.peer.store.Manifest;

/**
 * A peer-server's limits under floods: connections beyond the maximum, a client that pipelines far more
 * requests than the queue holds and never reads, and frames beyond the per-second rate. Others keep being served.
 */
class PeerServerLimitsTest extends PeerServerFixture {

    @Test
    @Timeout(30)
    void connectionsBeyondTheLimitGetTooManyConnectionsThenCloseAndTheOthersKeepGettingChunks() throws Exception {
        PeerServer.Config config = PeerServer.Config.loopback(tracker.address(), dir);
        PeerServer.Config small = new PeerServer.Config(config.bind(), config.tracker(), config.dir(),
                0, 2, 2);
        try (PeerServer s = PeerServer.start(small)) {
            Manifest m = s.manifests().get(0);
            List<RawClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    RawClient c = PeerSteps.connect(s.address());
                    peerHello(c, m);
                    open.add(c);
                }
                for (int i = 0; i < 5; i++) {
                    try (RawClient extra = PeerSteps.connect(s.address())) {
                        extra.expectErrorThenEof(ErrorCode.TOO_MANY_CONNECTIONS);
                    }
                }
                for (RawClient c : open) {
                    fetchAll(c, m, file);
                }
                open.remove(0).close();
                await("a slot frees up", () -> s.connectionCount() == 1);
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
}
