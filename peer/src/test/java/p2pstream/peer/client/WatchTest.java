package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Role;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerClient;
import p2pstream.tracker.Tracker;

/** A real tracker, real peer-servers and a client in one JVM on loopback. */
class WatchTest {
    private static final long MB = 1_000_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void streamsIdenticalBytesFromSeveralPeers() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 24 * 1024 * 1024 + 12345, 1);
        // capped servers, so no single one can serve everything before the others are asked
        try (TestSwarm swarm = TestSwarm.start(dir, source, "movies/clip.mp4", 3, 20 * MB)) {
            Path out = dir.resolve("out.bin");
            Stats stats = TestSwarm.download(swarm.config("movies/clip.mp4"), out);

            String expected = TestSwarm.sha256(source);
            assertEquals(expected, TestSwarm.sha256(out));
            assertEquals(expected, stats.sha256());
            assertTrue(stats.complete());
            assertEquals(source.toFile().length(), stats.bytes());
            assertEquals(0, stats.hashFailures());
            assertTrue(stats.contributingPeers() >= 2, "bytes per peer: " + stats.peers());
            assertTrue(stats.startupMillis() >= 0 && stats.startupMillis() <= stats.millis());
        }
    }

    @Test
    @Timeout(60)
    void streamsByContentId() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 3 * 1024 * 1024, 2);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "a.bin", 1, 0)) {
            ContentId id = swarm.servers.get(0).manifests().get(0).contentId();
            Path out = dir.resolve("out.bin");
            Stats stats = TestSwarm.download(swarm.config(id.hex()), out);
            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
            assertEquals("a.bin", stats.name());
            assertEquals(id.hex(), stats.contentId());
        }
    }

    @Test
    @Timeout(60)
    void emptyFileStreamsAsEmptyOutput() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 0, 3);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "empty.bin", 1, 0)) {
            Path out = dir.resolve("out.bin");
            Stats stats = TestSwarm.download(swarm.config("empty.bin"), out);
            assertTrue(stats.complete());
            assertEquals(0, out.toFile().length());
            assertEquals(TestSwarm.sha256(source), stats.sha256());
        }
    }

    @Test
    @Timeout(60)
    void smallWindowBoundsMemoryAndStillDelivers() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 8 * 1024 * 1024, 4);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "w.bin", 2, 0)) {
            Path out = dir.resolve("out.bin");
            // the playback buffer refuses to allocate more than window + 1 chunk buffers
            Stats stats = TestSwarm.download(swarm.config("w.bin").withWindowChunks(3), out);
            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
            assertTrue(stats.complete());
        }
    }

    @Test
    @Timeout(30)
    void unknownStreamFailsWithNotFound() throws Exception {
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback())) {
            WatchException e = assertThrows(WatchException.class,
                    () -> TestSwarm.download(Watch.Config.of(tracker.address(), "nope.bin"), dir.resolve("out")));
            assertEquals(WatchException.NOT_FOUND, e.exitStatus());
            assertTrue(e.getMessage().contains("nope.bin"), e.getMessage());
        }
    }

    @Test
    @Timeout(30)
    void unreachableTrackerFailsAtOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        WatchException e = assertThrows(WatchException.class,
                () -> TestSwarm.download(Watch.Config.of(new InetSocketAddress("127.0.0.1", port), "x.bin"),
                        dir.resolve("out")));
        assertEquals(WatchException.UNREACHABLE, e.exitStatus());
        assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
    }

    @Test
    @Timeout(30)
    void peersThatCannotBeReachedFailWithUnreachable() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             EventLoop loop = new EventLoop("fake-peer").start()) {
            // a peer that announces a stream and then never answers on its port
            TrackerClient liar =
                    new TrackerClient(loop, tracker.address(), Security.ephemeral(), Role.SERVER, deadPort, false);
            ContentId id = ContentId.of(new byte[32]);
            liar.announce(new Announce(id, "ghost.bin", 1 << 20, 1 << 18, 4, 4));
            liar.start();
            liar.synced().get(10, TimeUnit.SECONDS);

            WatchException e = assertThrows(WatchException.class, () -> TestSwarm.download(
                    Watch.Config.of(tracker.address(), "ghost.bin").withNoPeerTimeoutMillis(1_000),
                    dir.resolve("out")));
            assertEquals(WatchException.UNREACHABLE, e.exitStatus());
            liar.close();
        }
    }
}
