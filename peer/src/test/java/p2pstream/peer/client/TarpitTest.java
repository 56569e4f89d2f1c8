package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.Role;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.ManifestCache;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerClient;
import p2pstream.peer.tracker.TrackerTrust;

/** Peers that shake hands and then deliver nothing cost a few seconds, never the download. */
class TarpitTest {
    private static final int SIZE = 8 << 20;

    @TempDir
    Path dir;

    @HostileCase(value = "Tarpit peer: real handshake, then a PING every second and no chunk (one tarpit, one seed)",
            expect = "the viewer drops the tarpit, re-asks its chunks from the seed and completes with"
                    + " identical SHA-256", section = HostileCase.FLOODS)
    @Timeout(60)
    void aPeerThatOnlyPingsIsDroppedAndItsChunksReAsked(Trial trial) throws Exception {
        oneTarpitBesideOneSeed(TarpitPeer.Kind.PING_EVERY_SECOND, trial);
    }

    @HostileCase(value = "Tarpit peer: real handshake, then the first chunk at a byte a second (one tarpit, one seed)",
            expect = "the viewer drops the tarpit, re-asks its chunks from the seed and completes with"
                    + " identical SHA-256", section = HostileCase.FLOODS)
    @Timeout(60)
    void aPeerThatTricklesAChunkIsDroppedAndItsChunksReAsked(Trial trial) throws Exception {
        oneTarpitBesideOneSeed(TarpitPeer.Kind.BYTE_A_SECOND, trial);
    }

    private void oneTarpitBesideOneSeed(TarpitPeer.Kind kind, Trial trial) throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", SIZE, 21);
        Manifest manifest = ManifestCache.compute("t.bin", source, Manifest.chunkSizeFor(SIZE));
        // the seed capped to two seconds for the file: the tarpit's handshake is done and it is asked long before
        try (TestSwarm swarm = TestSwarm.start(dir, source, "t.bin", 1, SIZE / 2);
             TarpitPeer tarpit = new TarpitPeer(manifest, kind)) {
            Path out = dir.resolve("out.bin");
            long start = System.nanoTime();
            // the tarpit first, so it is connected and asked before the seed
            Stats stats = TestSwarm.download(Watch.Config.of(swarm.tracker.address(), "t.bin").withPeerAddresses(
                    List.of(tarpit.address(), swarm.servers.get(0).address())), out);
            double seconds = (System.nanoTime() - start) / 1e9;

            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
            assertTrue(stats.complete());
            assertTrue(tarpit.requests.get() > 0, "the tarpit was never asked for a chunk: nothing was tested");
            trial.record("seconds to complete with the tarpit", seconds);
            trial.record("tarpit connections made", tarpit.accepted.get());
        }
    }

    @HostileCase(value = "Three tarpits announced at the tracker among two honest seeds, five viewers",
            expect = "all five viewers complete with identical SHA-256", section = HostileCase.FLOODS)
    @Timeout(120)
    void fiveViewersCompleteAmongThreeTarpitsAndTwoSeeds(Trial trial) throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", SIZE, 22);
        Manifest manifest = ManifestCache.compute("t.bin", source, Manifest.chunkSizeFor(SIZE));
        List<TarpitPeer> tarpits = new ArrayList<>();
        try (TestSwarm swarm = TestSwarm.start(dir, source, "t.bin", 2, 0);
             EventLoop loop = new EventLoop("tarpit-announcer").start()) {
            List<TrackerClient> sessions = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TarpitPeer t = new TarpitPeer(manifest,
                        i % 2 == 0 ? TarpitPeer.Kind.PING_EVERY_SECOND : TarpitPeer.Kind.BYTE_A_SECOND);
                tarpits.add(t);
                // announced under the id its handshake proves, as a real tarpit would be
                TrackerClient c = new TrackerClient(loop, swarm.tracker.address(),
                        new Security(RawClient.KEY, TrackerTrust.any()), Role.SERVER, t.address().getPort(), true);
                c.start();
                c.announce(new Announce(manifest.contentId(), "t.bin", SIZE, manifest.chunkSize(),
                        manifest.chunkCount(), manifest.chunkCount()));
                c.synced().get(10, TimeUnit.SECONDS);
                sessions.add(c);
            }
            List<CompletableFuture<Stats>> viewers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Path out = dir.resolve("out-" + i + ".bin");
                viewers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return TestSwarm.download(Watch.Config.of(swarm.tracker.address(), "t.bin"), out);
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
            int asked = tarpits.stream().mapToInt(t -> t.requests.get()).sum();
            assertTrue(asked > 0, "no viewer asked a tarpit for anything: nothing was tested");
            trial.record("viewers completed with identical SHA-256 (of 5)", completed);
            trial.record("requests the tarpits held", asked);
            sessions.forEach(TrackerClient::close);
        } finally {
            for (TarpitPeer t : tarpits) {
                t.close();
            }
        }
    }
}
