package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.WireBytes.cut;
import static p2pstream.common.net.WireBytes.encoded;
import static p2pstream.common.net.WireBytes.garbage;

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
import org.junit.jupiter.params.provider.Arguments;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;

/**
 * Every kind of bad input on one tracker, one after the other and many at once: good sessions keep working,
 * during and after, and nothing leaks.
 */
class TrackerUnderBadInputTest extends TrackerFixture {

    @Test
    @Timeout(120)
    void afterEveryKindOfBadInputAWellBehavedSessionStillWorks() throws Exception {
        for (Named<BadInput> badInput : BadInput.all()) {
            BadInput.run(badInput, tracker.address());
        }
        for (int seed = 1; seed <= 8; seed++) {
            sendRandom(garbage(seed), seed % 2 == 0).assertAtMostOneErrorOf(INPUT_ERRORS, "seed " + seed);
        }
        for (Arguments a : TrackerFramingTest.truncations().toList()) {
            Message m = (Message) a.get()[1];
            int cutAt = (int) a.get()[2];
            try (RawClient c = connect()) {
                c.trackerHello(LISTEN_PORT);
                c.sendBytes(cut(encoded(m), cutAt));
                c.shutdownOutput();
                c.readUntilClosed(false);
            }
        }
        awaitNoConnectionsAndNoEntries();
        assertGoodSessionsWork();
    }

    /**
     * Many connections sending bad input at the same time, while a good session keeps looking up a peer that
     * stays announced: every lookup finds it.
     */
    @Test
    @Timeout(120)
    void concurrentBadConnectionsDoNotDisturbAGoodSession() throws Exception {
        try (RawClient seed = connect(); RawClient asker = connect()) {
            announceMovie(seed, LISTEN_PORT);
            asker.trackerHello(0);
            List<Named<BadInput>> cases = BadInput.all();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> futures = new ArrayList<>();
            try {
                for (int t = 0; t < 8; t++) {
                    int offset = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < cases.size(); i++) {
                            BadInput.run(cases.get((i + offset * 7) % cases.size()), tracker.address());
                        }
                        return null;
                    }));
                }
                long next = System.nanoTime();
                int lookups = 0;
                while (!futures.stream().allMatch(Future::isDone)) {
                    // at most one lookup per two milliseconds, far below the per-connection frame rate limit, even
                    // after a stall of this thread (no catching up in a burst)
                    long now = System.nanoTime();
                    if (now < next) {
                        LockSupport.parkNanos(next - now);
                        continue;
                    }
                    next = now + 2_000_000;
                    asker.send(Lookup.byContentId(ID, 10));
                    Peers p = asker.expect(MessageType.PEERS, Peers::decode);
                    assertTrue(p.found(), "lookup " + lookups + " finds the seed");
                    assertEquals(1, p.peers().size(), "lookup " + lookups);
                    assertEquals(seed.peerId, p.peers().get(0).peerId());
                    lookups++;
                }
                for (Future<?> f : futures) {
                    f.get(60, TimeUnit.SECONDS);
                }
                assertTrue(lookups > 0);
            } finally {
                pool.shutdownNow();
            }
            await("only the two good sessions stay connected", () -> tracker.connectionCount() == 2);
            await("only the good seed's entry stays", () -> tracker.entryCount() == 1);
        }
        awaitNoConnectionsAndNoEntries();
    }
}
