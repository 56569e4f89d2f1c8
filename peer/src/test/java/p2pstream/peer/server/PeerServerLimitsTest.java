package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.wire.ErrorCode.RATE_LIMITED;
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
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.HostileSends;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.MessageType;
import p2pstream.peer.client.Stats;
import p2pstream.peer.client.Watch;
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
                    + " SHA-256; the raw client keeps getting chunks; a freed slot is reused",
            section = HostileCase.FLOODS)
    @Timeout(60)
    void connectionsBeyondTheLimitGetTooManyConnectionsThenCloseAndAStreamingViewerCompletes(Trial trial)
            throws Exception {
        PeerServer.Config small = PeerServer.Config.loopback(tracker.address(), dir).withMaxConnections(2)
                .withUploadLimit(FILE_BYTES); // about a second for the viewer's stream
        server.close(); // the fixture's: the capped one below announces the same file
        try (PeerServer s = PeerServer.start(small)) {
            s.announced().get(10, TimeUnit.SECONDS);
            // the tracker's dial-back takes one of the two slots for a moment: over before the count starts
            await("the tracker's dial-back over", () -> s.reach() != null && s.connectionCount() == 0);
            Manifest m = s.manifests().get(0);
            List<RawClient> open = new ArrayList<>();
            try {
                RawClient holder = PeerSteps.connect(s.address());
                open.add(holder);
                peerHello(holder, m);
                CompletableFuture<Stats> viewer = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Watch.run(Watch.Config.of(tracker.address(), "movie.bin").withUpload(false)
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
     * PINGs sent without pause, far past the 50,000 frames a second a serving connection may send: the server
     * answers until one second's count passes the limit (a cold or busy server may answer fewer than 50,000 a
     * second for a while, and then the flood is simply as slow as the server), then RATE_LIMITED and EOF; a
     * good client is unaffected.
     */
    @HostileCase(value = "Frame flood: PINGs without pause after HELLO (peer-server, 50,000 frames/s)",
            expect = "PONGs until one second's count passes the limit, then ERROR RATE_LIMITED then EOF; a good client"
                    + " keeps getting chunks", section = HostileCase.FLOODS)
    @Timeout(60)
    void floodOfPingsBeyondTheFrameRateGetsRateLimitedThenClose(Trial trial) throws Exception {
        try (RawClient good = connect(); RawClient flood = connect()) {
            peerHello(good, manifest);
            peerHello(flood, manifest);
            ByteBuffer batch = ByteBuffer.allocate(2_000 * Frames.HEADER_BYTES);
            while (batch.hasRemaining()) {
                Frames.encode(EmptyMessage.PING, batch);
            }
            long start = System.nanoTime();
            AtomicLong sent = HostileSends.flood(flood, batch.array());
            fetchAll(good, manifest, file);
            int pongs = HostileSends.answersBeforeError(flood, MessageType.PONG, RATE_LIMITED);
            trial.recordSecondsSince("seconds until the ERROR", start);
            trial.record("PINGs the flooder had sent by then", sent.get() / (double) Frames.HEADER_BYTES);
            flood.expectEof();
            trial.record("PONGs before ERROR RATE_LIMITED", pongs);
            fetchAll(good, manifest, file);
            await("only the good client stays connected", () -> server.connectionCount() == 1);
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
