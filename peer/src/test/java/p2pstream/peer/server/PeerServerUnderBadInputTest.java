package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.peer.server.PeerSteps.fetchAll;
import static p2pstream.peer.server.PeerSteps.peerHello;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;

/**
 * Every kind of bad input against one peer-server, many at once and one after the other: a good client keeps
 * getting correct chunks throughout, and the tracker still lists the server afterwards.
 */
class PeerServerUnderBadInputTest extends PeerServerFixture {

    /** Every bad case from several threads at once, while one good client keeps fetching and checking chunks. */
    @Test
    @Timeout(120)
    void concurrentBadInputNeverStopsChunksToAGoodClient() throws Exception {
        List<Named<PeerBadInput>> cases = PeerBadInput.all();
        try (RawClient good = connect()) {
            peerHello(good, manifest);
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<?>> futures = new ArrayList<>();
            try {
                for (int t = 0; t < 6; t++) {
                    int offset = t;
                    futures.add(pool.submit(() -> {
                        for (int round = 0; round < 2; round++) {
                            for (int i = 0; i < cases.size(); i++) {
                                PeerBadInput.run(cases.get((i + offset * 5) % cases.size()), server.address(),
                                        manifest, file);
                            }
                        }
                        return null;
                    }));
                }
                long start = System.nanoTime();
                int fetches = 0;
                while (!futures.stream().allMatch(Future::isDone)) {
                    // one whole-file fetch per 10 ms at most: well below the per-connection frame rate limit
                    if (fetches >= (System.nanoTime() - start) / 10_000_000) {
                        LockSupport.parkNanos(1_000_000);
                        continue;
                    }
                    fetchAll(good, manifest, file);
                    fetches++;
                }
                for (Future<?> f : futures) {
                    f.get(60, TimeUnit.SECONDS);
                }
                fetchAll(good, manifest, file);
                assertTrue(fetches > 0);
            } finally {
                pool.shutdownNow();
            }
            await("only the good client stays connected", () -> server.connectionCount() == 1);
        }
        await("no connections left", () -> server.connectionCount() == 0);
    }

    @Test
    @Timeout(30)
    void trackerStillListsTheServerAfterBadInput() throws Exception {
        for (Named<PeerBadInput> badInput : PeerBadInput.all()) {
            PeerBadInput.run(badInput, server.address(), manifest, file);
        }
        try (RawClient t = RawClient.secure(tracker.address())) {
            t.trackerHello(0);
            t.send(Lookup.byContentId(manifest.contentId(), 10));
            Peers p = t.expect(MessageType.PEERS, Peers::decode);
            assertTrue(p.found());
            assertEquals(1, p.peers().size());
            assertEquals(server.peerId(), p.peers().get(0).peerId());
            assertEquals(new InetSocketAddress("127.0.0.1", server.address().getPort()), p.peers().get(0).address());
        }
    }
}
