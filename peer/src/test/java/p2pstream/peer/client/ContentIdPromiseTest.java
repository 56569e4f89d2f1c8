package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Role;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerClient;
import p2pstream.tracker.Tracker;

/** A content id the user typed is a promise: a tracker or peer that offers other content is refused. */
class ContentIdPromiseTest {
    @TempDir
    Path dir;

    @HostileCase(value = "Tracker answers a LOOKUP by content id with another stream (fake tracker, in-JVM viewer)",
            expect = "the viewer refuses the other stream: exit status 5, no byte of it written",
            section = HostileCase.FORGERIES)
    @Timeout(60)
    void aTrackerNamingAnotherStreamForTheAskedContentIdIsRefused(Trial trial) throws Exception {
        Path root = Files.createDirectories(dir.resolve("shared"));
        TestSwarm.randomFile(root, "a.bin", 1 << 20, 1);
        TestSwarm.randomFile(root, "b.bin", 1 << 20, 2);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = PeerServer.start(PeerServer.Config.loopback(tracker.address(), root))) {
            server.announced().get(10, TimeUnit.SECONDS);
            Peers a = lookUp(tracker, "a.bin");
            Peers b = lookUp(tracker, "b.bin");
            try (FakeTracker liar = new FakeTracker(lookup -> b)) {
                Path out = dir.resolve("out.bin");
                WatchException e = assertThrows(WatchException.class, () -> TestSwarm.download(
                        Watch.Config.of(liar.address(), a.contentId().hex()).withNoPeerTimeoutMillis(5_000), out));
                assertEquals(WatchException.MISMATCH, e.exitStatus(), e.getMessage());
                assertTrue(e.getMessage().contains(a.contentId().hex()), e.getMessage());
                assertFalse(Files.exists(out) && Files.size(out) > 0, "bytes of the other stream were written");
                trial.record("substituted streams accepted", 0);
            }
        }
    }

    @Test
    @Timeout(60)
    void aTrackerNamingAnotherStreamIsRefusedWithFixedPeersToo() throws Exception {
        Path root = Files.createDirectories(dir.resolve("shared"));
        TestSwarm.randomFile(root, "a.bin", 1 << 20, 1);
        TestSwarm.randomFile(root, "b.bin", 1 << 20, 2);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = PeerServer.start(PeerServer.Config.loopback(tracker.address(), root))) {
            server.announced().get(10, TimeUnit.SECONDS);
            Peers a = lookUp(tracker, "a.bin");
            Peers b = lookUp(tracker, "b.bin");
            try (FakeTracker liar = new FakeTracker(lookup -> b)) {
                Path out = dir.resolve("out.bin");
                WatchException e = assertThrows(WatchException.class, () -> TestSwarm.download(
                        Watch.Config.of(liar.address(), a.contentId().hex()).withNoPeerTimeoutMillis(5_000)
                                .withPeerAddresses(List.of(server.address())), out));
                assertEquals(WatchException.MISMATCH, e.exitStatus(), e.getMessage());
                assertFalse(Files.exists(out) && Files.size(out) > 0, "bytes of the other stream were written");
            }
        }
    }

    static Peers lookUp(Tracker tracker, String name) throws Exception {
        try (EventLoop loop = new EventLoop("lookup").start()) {
            TrackerClient client =
                    new TrackerClient(loop, tracker.address(), Security.ephemeral(), Role.CLIENT, 0, true);
            client.start();
            try {
                Peers p = client.lookup(Lookup.byName(name, 10)).get(10, TimeUnit.SECONDS);
                assertTrue(p.found(), name + " not found");
                return p;
            } finally {
                client.close();
            }
        }
    }
}
