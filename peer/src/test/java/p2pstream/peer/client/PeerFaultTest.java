package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Trial;
import p2pstream.peer.server.PeerServer;

/** Peers that die or lie mid-stream cost time, never correctness. */
class PeerFaultTest {
    private static final long MB = 1_000_000;

    @TempDir
    Path dir;

    @HostileCase(value = "Peer-server stopped mid-stream, one of 3 (viewer, in-JVM)",
            expect = "the viewer moves its requests to the other two and completes with identical SHA-256",
            section = HostileCase.FAULTS)
    @Timeout(90)
    void completesWhenAPeerServerStopsMidStream(Trial trial) throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 32 * 1024 * 1024, 10);
        // ~10 MB/s each: the stream takes about a second, long enough to lose a server part-way
        try (TestSwarm swarm = TestSwarm.start(dir, source, "live-ish.bin", 3, 10 * MB)) {
            Path out = dir.resolve("out.bin");
            PeerServer victim = swarm.servers.get(0);
            AtomicBoolean downloaded = new AtomicBoolean();
            CompletableFuture<Boolean> killer = CompletableFuture.supplyAsync(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (sizeOf(out) < 4 * 1024 * 1024 && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(5_000_000); // poll the condition politely
                }
                boolean midStream = !downloaded.get();
                victim.close();
                return midStream;
            });
            Stats stats = TestSwarm.download(swarm.config("live-ish.bin"), out);
            downloaded.set(true);
            assertTrue(killer.get(10, TimeUnit.SECONDS),
                    "the server was stopped after the download ended: nothing was tested");

            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
            assertTrue(stats.complete());
            assertTrue(stats.bytes() > 4 * 1024 * 1024);
            trial.record("viewer streams completed with identical SHA-256", 1);
            trial.record("MiB fetched from the stopped server before it stopped", stats.peers().stream()
                    .filter(p -> p.address().equals("127.0.0.1:" + victim.address().getPort()))
                    .mapToLong(Stats.PeerBytes::bytes).sum() / 1048576.0);
        }
    }

    @Test
    @Timeout(90)
    void dropsPeerWhoseFileChangedAfterItAnnounced() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 16 * 1024 * 1024, 11);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "changed.bin", 2, 0)) {
            // server 0's copy changes on disk after its manifest was computed and announced
            byte[] garbage = new byte[(int) Files.size(source)];
            new Random(99).nextBytes(garbage);
            try (RandomAccessFile f = new RandomAccessFile(swarm.dirs.get(0).resolve("changed.bin").toFile(), "rw")) {
                f.write(garbage);
            }
            String liar = "127.0.0.1:" + swarm.servers.get(0).address().getPort();

            Path out = dir.resolve("out.bin");
            Stats stats = TestSwarm.download(swarm.config("changed.bin"), out);

            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
            assertTrue(stats.hashFailures() > 0, "hash failures: " + stats.hashFailures());
            for (Stats.PeerBytes p : stats.peers()) {
                if (p.address().equals(liar)) {
                    assertEquals(0, p.bytes(), "the lying peer's chunks were used");
                }
            }
        }
    }

    @Test
    @Timeout(90)
    void completesWhileOneGoodPeerRemainsAmongLiars() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 8 * 1024 * 1024, 12);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "x.bin", 3, 0)) {
            for (int i = 0; i < 2; i++) {
                byte[] garbage = new byte[(int) Files.size(source)];
                new Random(100 + i).nextBytes(garbage);
                Files.write(swarm.dirs.get(i).resolve("x.bin"), garbage);
            }
            Path out = dir.resolve("out.bin");
            Stats stats = TestSwarm.download(swarm.config("x.bin"), out);
            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
            assertTrue(stats.hashFailures() >= 2, "hash failures: " + stats.hashFailures());
            assertEquals(1, stats.contributingPeers(), "bytes per peer: " + stats.peers());
        }
    }

    @Test
    @Timeout(90)
    void aNamedPeerThatIsNotListeningYetIsTriedAgainUntilItServes() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 4 * 1024 * 1024, 13);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "late.bin", 1, 0)) {
            // the viewer's first attempt is accepted and closed at once (a peer not serving yet); only then does
            // the peer-server start on that port: the viewer must come back to it
            ServerSocket notYet = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            int port = notYet.getLocalPort();
            InetSocketAddress late = new InetSocketAddress("127.0.0.1", port);
            AtomicReference<PeerServer> lateServer = new AtomicReference<>();
            CompletableFuture<Void> starter = CompletableFuture.runAsync(() -> {
                PeerServer.Config c = PeerServer.Config.loopback(swarm.tracker.address(), swarm.dirs.get(0));
                try (notYet) {
                    notYet.accept().close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                try {
                    lateServer.set(PeerServer.start(new PeerServer.Config(late, c.tracker(), c.dir(), 0, 2, 1_000)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                Path out = dir.resolve("out.bin");
                Stats stats = TestSwarm.download(swarm.config("late.bin").withNoPeerTimeoutMillis(20_000)
                        .withPeerAddresses(List.of(late)), out);
                starter.get(10, TimeUnit.SECONDS);
                assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
                assertEquals(List.of("127.0.0.1:" + port),
                        stats.peers().stream().filter(p -> p.bytes() > 0).map(Stats.PeerBytes::address).toList());
            } finally {
                starter.join();
                lateServer.get().close();
            }
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
