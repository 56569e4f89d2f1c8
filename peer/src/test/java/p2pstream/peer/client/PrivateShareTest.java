package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Clock;
import p2pstream.common.noise.StaticKey;
import p2pstream.peer.client.file.FileStream;
import p2pstream.peer.playback.FilePlayer;
import p2pstream.peer.server.Access;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Timings;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerTrust;
import p2pstream.peer.viewer.Viewer;
import p2pstream.tracker.Tracker;

/**
 * A peer-server sharing privately ({@code --private --allow ID}): the allowed reader gets the file identical, over
 * an encrypted connection only; any other id is refused with its own status; the tracker never hears of the file;
 * the reader holds it without serving it on.
 */
@Timeout(60)
class PrivateShareTest {
    private static final Identity OWNER = Identity.generate();
    private static final Identity READER = Identity.generate();

    @TempDir
    Path dir;

    private PeerServer privateServer(Tracker tracker, boolean allowsPlaintext) throws Exception {
        return PeerServer.start(PeerServer.Config.loopback(tracker.address(), dir.resolve("share"))
                .withSecurity(new Security(StaticKey.of(OWNER, allowsPlaintext), TrackerTrust.any()))
                .withAccess(Access.allowing(OWNER, List.of(READER.peerId()))));
    }

    /** A random file shared as club/june.mp4. */
    private Path shared(int bytes, long seed) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("share/club"));
        TestSwarm.randomFile(folder, "june.mp4", bytes, seed);
        return folder.resolve("june.mp4");
    }

    private static Security as(Identity who, boolean allowsPlaintext) {
        return new Security(StaticKey.of(who, allowsPlaintext), TrackerTrust.any());
    }

    @Test
    void theAllowedReaderGetsTheFileIdenticalAndNobodyElseDoes() throws Exception {
        Path source = shared(3 << 20, 41);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = privateServer(tracker, false)) {
            server.announced().get(10, TimeUnit.SECONDS);
            String id = server.manifests().get(0).contentId().hex();

            Path out = dir.resolve("june.mp4");
            Stats stats = TestSwarm.download(Watch.Config.of(null, id).withPeerAddresses(List.of(server.address()))
                    .withSecurity(as(READER, false)).withUpload(false), out);
            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
            assertEquals(Files.size(source), stats.bytes());

            WatchException other = assertThrows(WatchException.class, () -> TestSwarm.download(
                    Watch.Config.of(null, id).withPeerAddresses(List.of(server.address()))
                            .withSecurity(as(Identity.generate(), false)).withUpload(false), dir.resolve("x.mp4")));
            assertEquals(StreamFailure.FORBIDDEN, other.exitStatus(), other.getMessage());
            assertTrue(other.getMessage().contains(" is private: peer "), other.getMessage());
            assertTrue(other.getMessage().contains("may not read it"), other.getMessage());
            assertFalse(other.getMessage().contains("june"), "the owner keeps the name from whoever it refuses: "
                    + other.getMessage());

            // the tracker never heard of it: by name it is not found, for the reader too
            WatchException byName = assertThrows(WatchException.class, () -> TestSwarm.download(
                    Watch.Config.of(tracker.address(), "club/june.mp4").withSecurity(as(READER, false)),
                    dir.resolve("y.mp4")));
            assertEquals(StreamFailure.NOT_FOUND, byName.exitStatus(), byName.getMessage());
        }
    }

    @Test
    void aPrivateFileNeverTravelsInPlaintextEvenWhenBothSidesAllowIt() throws Exception {
        shared(1 << 20, 42);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = privateServer(tracker, true)) {
            server.announced().get(10, TimeUnit.SECONDS);
            String id = server.manifests().get(0).contentId().hex();
            WatchException e = assertThrows(WatchException.class, () -> TestSwarm.download(
                    Watch.Config.of(null, id).withPeerAddresses(List.of(server.address()))
                            .withSecurity(as(READER, true)).withUpload(false), dir.resolve("x.mp4")));
            assertEquals(StreamFailure.FORBIDDEN, e.exitStatus(), e.getMessage());
            assertTrue(e.getMessage().contains("never travels in plaintext"), e.getMessage());
        }
    }

    @Test
    void aReaderHoldsThePrivateFileWithoutServingIt() throws Exception {
        Path source = shared(2 << 20, 43);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = privateServer(tracker, false);
             Viewer reader = new Viewer(new Viewer.Config(null, true, 0, 0, InetAddress.getLoopbackAddress(),
                     Timings.DEFAULT, as(READER, false)))) {
            server.announced().get(10, TimeUnit.SECONDS);
            Manifest m = server.manifests().get(0);
            StreamRequest request = new StreamRequest(m.contentId().hex(), List.of(server.address()), 8, 128, 20_000,
                    2_000, null, 0, 0, 2_000, null);
            FileStream f = (FileStream) reader.open(request).get(10, TimeUnit.SECONDS);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            FilePlayer player = new FilePlayer(f.manifest(), f.store(), f.arrivals(), 0, f.window(),
                    f::onReaderMoved, Channels.newChannel(bytes), Clock.SYSTEM, false, FilePlayer.Pacing.NONE);
            f.addReader(player);
            new Thread(player, "player").start();
            player.result().get(30, TimeUnit.SECONDS);
            assertArrayEquals(Files.readAllBytes(source), bytes.toByteArray());
            assertTrue(reader.listenPort() != 0, "the viewer serves what it may");
            CompletableFuture<Object> held = new CompletableFuture<>();
            reader.loop().execute(() -> held.complete(reader.catalog().holding(m.contentId())));
            assertNull(held.get(10, TimeUnit.SECONDS), "a private stream is not in what the reader serves");
        }
    }
}
