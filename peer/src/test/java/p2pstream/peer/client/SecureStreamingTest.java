package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.RecordingRelay;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerTrust;
import p2pstream.tracker.Tracker;

/**
 * The secure transport between real programs in one JVM: what a recording relay on the path sees between a viewer
 * and a peer-server and between the peer-server and the tracker; a bit flipped on the path, a peer proving another
 * id than the tracker named, a tracker proving another id than the one pinned.
 */
class SecureStreamingTest {
    private static final String MARKER = "P2PSTREAM-PLAINTEXT-MARKER";
    private static final String NAME = MARKER + "/movie.bin";

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void aRecordingRelayOnThePathSeesNoNameAndNoContentUnlessBothSidesChosePlaintext() throws Exception {
        for (boolean plaintext : new boolean[] {false, true}) {
            Path root = Files.createDirectories(dir.resolve("plaintext-" + plaintext));
            Path file = markerFile(root.resolve("server"));
            try (Tracker tracker = Tracker.start(Tracker.Config.loopback().withKey(key(plaintext)));
                 RecordingRelay toTracker = new RecordingRelay(tracker.address(), -1);
                 PeerServer server = PeerServer.start(PeerServer.Config.loopback(toTracker.address(),
                         root.resolve("server")).withSecurity(security(plaintext)));
                 RecordingRelay toServer = new RecordingRelay(server.address(), -1)) {
                server.announced().get(10, TimeUnit.SECONDS);
                Path out = root.resolve("out.bin");
                Stats stats = TestSwarm.download(Watch.Config.of(tracker.address(), NAME)
                        .withPeerAddresses(List.of(toServer.address())).withUpload(false)
                        .withSecurity(security(plaintext)), out);
                assertEquals(TestSwarm.sha256(file), TestSwarm.sha256(out), "plaintext " + plaintext);
                assertEquals(0, stats.hashFailures());
                assertTrue(toServer.recorded().length > Files.size(file), "the relay carried the stream");
                assertEquals(plaintext, contains(toServer.recorded(), MARKER),
                        "the marker (name and content) between viewer and server, plaintext " + plaintext);
                assertEquals(plaintext, contains(toTracker.recorded(), MARKER),
                        "the marker (the announced name) between server and tracker, plaintext " + plaintext);
            }
        }
    }

    @Test
    @Timeout(60)
    void aBitFlippedOnThePathEndsThatConnectionAndTheStreamFinishesIdenticalFromAnotherPeer() throws Exception {
        Path file = markerFile(dir.resolve("source"), 16 << 20); // enough chunks that both peers are asked
        try (TestSwarm swarm = TestSwarm.start(dir.resolve("swarm"), file, "movie.bin", 2, 0);
             RecordingRelay flipping = new RecordingRelay(swarm.servers.get(0).address(), 2_000)) {
            Path out = dir.resolve("out.bin");
            Stats stats = TestSwarm.download(swarm.config("movie.bin").withUpload(false)
                    .withPeerAddresses(List.of(flipping.address(), swarm.servers.get(1).address())), out);
            assertEquals(TestSwarm.sha256(file), TestSwarm.sha256(out));
            assertTrue(flipping.recorded().length > 2_000, "the flipped byte was relayed: "
                    + flipping.recorded().length + " bytes");
            // the record's tag caught it: no chunk with the bad bit reached the hash check
            assertEquals(0, stats.hashFailures(), "hash failures");
        }
    }

    @Test
    @Timeout(60)
    void aPeerProvingAnotherIdThanTheTrackerNamedIsRefusedAndTheStreamComesFromTheOthers() throws Exception {
        Path file = markerFile(dir.resolve("source"));
        try (TestSwarm swarm = TestSwarm.start(dir.resolve("swarm"), file, "movie.bin", 2, 0)) {
            PeerServer impostor = swarm.servers.get(0);
            PeerServer honest = swarm.servers.get(1);
            Manifest m = honest.manifests().get(0);
            // a tracker that names the first server by an id it does not hold
            List<Peers.Entry> entries = List.of(new Peers.Entry(impostor.address(), PeerId.random(), true),
                    new Peers.Entry(honest.address(), honest.peerId(), true));
            try (FakeTracker liar = new FakeTracker(lookup -> new Peers(m.contentId(), "movie.bin", m.size(),
                    m.chunkSize(), entries))) {
                Path out = dir.resolve("out.bin");
                Stats stats = TestSwarm.download(Watch.Config.of(liar.address(), "movie.bin").withUpload(false), out);
                assertEquals(TestSwarm.sha256(file), TestSwarm.sha256(out));
                assertEquals(0, impostor.uploadedBytes(), "the peer named by another id served nothing");
                assertTrue(honest.uploadedBytes() >= Files.size(file), "the honest peer served it all");
                assertEquals(1, stats.contributingPeers());
            }
        }
    }

    @Test
    @Timeout(30)
    void aTrackerProvingAnotherIdThanThePinnedOneIsRefusedWithItsOwnStatus() throws Exception {
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback())) {
            PeerId pinned = PeerId.random();
            Security pinning = new Security(key(false), TrackerTrust.of(pinned, null));
            WatchException e = assertThrows(WatchException.class, () -> TestSwarm.download(
                    Watch.Config.of(tracker.address(), "movie.bin").withSecurity(pinning), dir.resolve("out.bin")));
            assertEquals(StreamFailure.TRACKER_IDENTITY, e.exitStatus(), e.getMessage());
            assertTrue(e.getMessage().contains("proved peer id " + tracker.peerId().text() + " (expected: "
                    + pinned.text()), e.getMessage());
            assertFalse(Files.exists(dir.resolve("out.bin")), "nothing written");
            assertEquals(0, tracker.sessionCount(), "no session was opened");

            Security right = new Security(key(false), TrackerTrust.of(tracker.peerId(), null));
            WatchException notFound = assertThrows(WatchException.class, () -> TestSwarm.download(
                    Watch.Config.of(tracker.address(), "movie.bin").withSecurity(right), dir.resolve("out.bin")));
            assertEquals(StreamFailure.NOT_FOUND, notFound.exitStatus(), "the pinned tracker answers: "
                    + notFound.getMessage());
        }
    }

    private static StaticKey key(boolean plaintext) {
        return StaticKey.of(Identity.generate(), plaintext);
    }

    private static Security security(boolean plaintext) {
        return new Security(key(plaintext), TrackerTrust.any());
    }

    /** 1 MiB of the marker, over and over, shared as {@link #NAME} under {@code root}. */
    private static Path markerFile(Path root) throws Exception {
        return markerFile(root, 1 << 20);
    }

    private static Path markerFile(Path root, int bytes) throws Exception {
        Path file = root.resolve(NAME);
        Files.createDirectories(file.getParent());
        byte[] marker = (MARKER + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] data = new byte[bytes];
        for (int i = 0; i < data.length; i++) {
            data[i] = marker[i % marker.length];
        }
        Files.write(file, data);
        return file;
    }

    private static boolean contains(byte[] haystack, String needle) {
        return new String(haystack, StandardCharsets.ISO_8859_1).contains(needle);
    }
}
