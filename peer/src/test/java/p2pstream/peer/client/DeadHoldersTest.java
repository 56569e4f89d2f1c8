package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.ManifestCache;
import p2pstream.tracker.Tracker;

/**
 * Issue 10 #9: sessions announcing an honest content id with closed ports made 4 of 5 viewers fail. One address
 * now holds at most 64 tracker sessions, and a viewer that finds listed holders unreachable moves on to others.
 */
class DeadHoldersTest {
    private static final int SIZE = 8 << 20;
    private static final int ATTEMPTED_SESSIONS = 80;

    @TempDir
    Path dir;

    @HostileCase(value = "80 sessions from one address announce the honest stream with closed ports, beside two honest"
            + " seeds; five viewers", expect = "the tracker takes at most 64 sessions from the address (the rest get"
            + " ERROR TOO_MANY_CONNECTIONS); all five viewers complete with identical SHA-256",
            section = HostileCase.FLOODS)
    @Timeout(120)
    void viewersCompleteWhenMostListedHoldersAreUnreachable(Trial trial) throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", SIZE, 23);
        Manifest manifest = ManifestCache.compute("d.bin", source, Manifest.chunkSizeFor(SIZE));
        Announce honest = new Announce(manifest.contentId(), "d.bin", SIZE, manifest.chunkSize(), manifest.chunkCount(),
                manifest.chunkCount());
        InetAddress attacker = InetAddress.getByName("127.0.0.2");
        List<RawClient> liars = new ArrayList<>();
        try (TestSwarm swarm = TestSwarm.start(dir, source, "d.bin", 2, 0)) {
            int refused = 0;
            for (int i = 0; i < ATTEMPTED_SESSIONS; i++) {
                RawClient liar = RawClient.secureFrom(attacker, swarm.tracker.address());
                liars.add(liar);
                if (i < Tracker.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS) {
                    liar.trackerHello(closedPort(attacker));
                    liar.send(honest);
                } else {
                    liar.expectErrorThenEof(ErrorCode.TOO_MANY_CONNECTIONS);
                    refused++;
                }
            }
            try (RawClient asker = RawClient.secure(swarm.tracker.address())) {
                asker.trackerHello(0);
                int listed;
                do { // the liars' announcements are applied in their own time: wait until they are all held
                    asker.send(Lookup.byContentId(manifest.contentId(), 100));
                    listed = asker.expect(MessageType.PEERS, Peers::decode).peers().size();
                } while (listed < Tracker.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS + 2);
                trial.record("holders listed (64 unreachable, 2 honest)", listed);
            }

            long start = System.nanoTime();
            List<CompletableFuture<Stats>> viewers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Path out = dir.resolve("out-" + i + ".bin");
                viewers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return TestSwarm.download(Watch.Config.of(swarm.tracker.address(), "d.bin"), out);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            int completed = 0;
            for (int i = 0; i < 5; i++) {
                Stats s = viewers.get(i).get(100, TimeUnit.SECONDS);
                assertTrue(s.complete());
                assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(dir.resolve("out-" + i + ".bin")));
                completed++;
            }
            trial.recordSecondsSince("seconds until all five completed", start);
            trial.record("viewers completed with identical SHA-256 (of 5)", completed);
            trial.record("liar sessions refused by the tracker", refused);
            assertEquals(ATTEMPTED_SESSIONS - Tracker.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, refused);
        } finally {
            for (RawClient liar : liars) {
                liar.close();
            }
        }
    }

    /** A port on {@code host} nobody listens on: connecting to it is refused at once. */
    private static int closedPort(InetAddress host) throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, host)) {
            return s.getLocalPort();
        }
    }
}
