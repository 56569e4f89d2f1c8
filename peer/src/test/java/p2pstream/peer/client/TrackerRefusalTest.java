package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Role;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerClient;
import p2pstream.tracker.Tracker;

/** A request the tracker refuses fails that request at once; the session is not treated as lost. */
class TrackerRefusalTest {

    @Test
    @Timeout(30)
    void aRefusedLookupFailsAtOnceAndLaterLookupsAreAnswered() throws Exception {
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             EventLoop loop = new EventLoop("refusal-test").start()) {
            TrackerClient client =
                    new TrackerClient(loop, tracker.address(), Security.ephemeral(), Role.CLIENT, 0, true);
            client.start();
            try {
                long t0 = System.nanoTime();
                // the codec sends any text; the tracker's name rule refuses this one with BAD_NAME
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> client.lookup(Lookup.byName("dir/", 10)).get(20, TimeUnit.SECONDS));
                long millis = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(e.getCause().getMessage().contains("refused LOOKUP: BAD_NAME"), e.getCause().getMessage());
                assertTrue(millis < 3_000, "refusal took " + millis
                        + " ms (expected: at once, not the request timeout)");

                Peers after = client.lookup(Lookup.byName("no-such.bin", 10)).get(10, TimeUnit.SECONDS);
                assertTrue(!after.found(), "an unknown name is answered, not found");
            } finally {
                client.close();
            }
        }
    }
}
