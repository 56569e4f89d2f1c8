package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.access.Grant;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Wire;
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
 * A reader asked of given peers alone, with no tracker ({@code - CONTENT-ID --peer HOST:PORT[#ID]}), in one JVM on
 * loopback: it takes a GRANT only from the owner pinned with #ID (a liar's is dropped unread, and the stream stays
 * public); with no owner pinned it takes none, and a stream a peer says is private is served to nobody; a pinned
 * peer that proves another id ends the reader with status 6 (PROTOCOL.md section 10).
 */
@Timeout(60)
class PinnedOwnerTest {
    private static final Identity OWNER = Identity.generate();
    private static final Identity READER = Identity.generate();

    @TempDir
    Path dir;

    private static Security as(Identity who) {
        return new Security(StaticKey.of(who, false), TrackerTrust.any());
    }

    /** A random file shared as club/june.mp4. */
    private Path shared(int bytes, long seed) throws Exception {
        return TestSwarm.randomFile(Files.createDirectories(dir.resolve("share/club")), "june.mp4", bytes, seed);
    }

    /** The owner's server, public or private to READER, announced to {@code tracker} (the reader never asks it). */
    private PeerServer owner(Tracker tracker, boolean isPrivate) throws Exception {
        PeerServer.Config c = PeerServer.Config.loopback(tracker.address(), dir.resolve("share"))
                .withSecurity(as(OWNER));
        PeerServer server = PeerServer.start(isPrivate ? c.withAccess(Access.allowing(OWNER,
                List.of(READER.peerId()))) : c);
        server.announced().get(10, TimeUnit.SECONDS);
        return server;
    }

    /** READER's viewer, with no tracker. */
    private static Viewer reader() throws Exception {
        return new Viewer(new Viewer.Config(null, true, 0, 0, InetAddress.getLoopbackAddress(), Timings.DEFAULT,
                as(READER)));
    }

    private static StreamRequest asked(ContentId id, List<InetSocketAddress> peers,
                                       Map<InetSocketAddress, PeerId> pinned) {
        return new StreamRequest(id.hex(), peers, 8, 128, 10_000, 2_000, null, 0, 0, 2_000, null, pinned);
    }

    /** Plays a liar at {@code evil}: HELLO, MANIFEST, a GRANT it signed itself naming the reader, then FORBIDDEN. */
    private static CompletableFuture<String> liar(ServerSocket evil, Manifest m, Identity as) {
        return CompletableFuture.supplyAsync(() -> RawFrames.grantThenRefuse(evil, m.contentId(), m.encoded(), as),
                r -> {
                    Thread t = new Thread(r, "granting liar");
                    t.setDaemon(true);
                    t.start();
                });
    }

    private static InetSocketAddress at(ServerSocket s) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }

    private static InetSocketAddress at(Viewer v) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), v.listenPort());
    }

    /** Asks {@code v} for the stream showing {@code shown} (null: no grant); its ERROR, or null when it served. */
    private static ErrorMessage ask(Viewer v, ContentId id, Grant shown) throws Exception {
        try (RawClient c = RawClient.secure(at(v), Wire.MAX_PEER_FRAME_BYTES)) {
            c.send(new Hello(Role.CLIENT, RawClient.PEER_ID, 0, id, shown != null));
            if (shown != null) {
                c.sendFrame(MessageType.GRANT.code(), shown.bytes());
            }
            RawClient.Frame f = c.read();
            if (f.type() == MessageType.HELLO.code()) {
                assertEquals(id, Hello.decode(f.buffer()).contentId());
                return null;
            }
            assertEquals(MessageType.ERROR.code(), f.type(), f.describe());
            return ErrorMessage.decode(f.buffer());
        }
    }

    @HostileCase(value = "A peer named with --peer, beside the owner pinned with --peer HOST:PORT#ID, hands a viewer"
            + " that asked no tracker a grant it signed itself (after HELLO, as an owner would), then refuses it",
            expect = "the grant is dropped unread (it is not the pinned owner's): the viewer fetches the public file"
                    + " whole and serves it on to a peer that shows no grant", section = HostileCase.ACCESS)
    void aLiarsGrantIsIgnoredWhenTheOwnerIsPinned(Trial trial) throws Exception {
        Path source = shared(2 << 20, 61);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = owner(tracker, false);
             ServerSocket evil = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             Viewer reader = reader()) {
            Manifest m = server.manifests().get(0);
            CompletableFuture<String> handed = liar(evil, m, Identity.generate());
            byte[] played = PrivateTrackerTest.play(reader, asked(m.contentId(), List.of(at(evil), server.address()),
                    Map.of(server.address(), OWNER.peerId())));
            assertArrayEquals(Files.readAllBytes(source), played);
            assertEquals("granted and refused", handed.get(30, TimeUnit.SECONDS));
            ErrorMessage refused = ask(reader, m.contentId(), null);
            assertNull(refused, "served to a peer without a grant: the copy stayed public");
            trial.record("bytes the viewer wrote, all true", played.length);
        }
    }

    @HostileCase(value = "A peer named with --peer, no owner pinned, hands a viewer that asked no tracker a grant it"
            + " signed itself, then refuses it", expect = "the grant is not taken: the viewer fetches the file whole"
            + " from the seed and serves it to nobody, not even to a peer showing a grant of the liar's",
            section = HostileCase.ACCESS)
    void withNoOwnerPinnedALiarsGrantIsNotTakenAndTheStreamIsServedToNobody(Trial trial) throws Exception {
        Path source = shared(2 << 20, 62);
        Identity liar = Identity.generate();
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = owner(tracker, false);
             ServerSocket evil = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             Viewer reader = reader()) {
            Manifest m = server.manifests().get(0);
            CompletableFuture<String> handed = liar(evil, m, liar);
            byte[] played = PrivateTrackerTest.play(reader, asked(m.contentId(), List.of(at(evil), server.address()),
                    Map.of()));
            assertArrayEquals(Files.readAllBytes(source), played);
            assertEquals("granted and refused", handed.get(30, TimeUnit.SECONDS));
            // taken, the liar's grant would let in whoever the liar grants: served privately under it
            Grant liars = Grant.forStream(liar, RawClient.PEER_ID, m.contentId(), Long.MAX_VALUE);
            assertEquals(ErrorCode.NOT_FOUND.code(), code(ask(reader, m.contentId(), liars)));
            assertEquals(ErrorCode.NOT_FOUND.code(), code(ask(reader, m.contentId(), null)));
            trial.record("bytes the viewer wrote, all true", played.length);
        }
    }

    @HostileCase(value = "A peer named with --peer, beside the owner pinned with --peer HOST:PORT#ID, hands a viewer"
            + " that asked no tracker a forged grant of another owner", expect = "the grant is dropped before its"
            + " signature is checked (it does not claim to be the pinned owner's): that link is not closed for it, and"
            + " the file comes whole from the owner", section = HostileCase.ACCESS)
    void aGrantThatIsNotThePinnedOwnersIsDroppedBeforeItsSignatureIsChecked(Trial trial) throws Exception {
        Path source = shared(1 << 20, 66);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = owner(tracker, false);
             ServerSocket evil = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             Viewer reader = reader()) {
            Manifest m = server.manifests().get(0);
            CompletableFuture<String> ending = CompletableFuture.supplyAsync(() -> PrivateShareTest.handGrant(evil, m,
                    true), r -> new Thread(r, "grant-liar").start());
            byte[] played = PrivateTrackerTest.play(reader, asked(m.contentId(), List.of(at(evil), server.address()),
                    Map.of(server.address(), OWNER.peerId())));
            assertArrayEquals(Files.readAllBytes(source), played);
            // the reader stays open: the liar's link ends at the handshake deadline (no MANIFEST came), where a
            // grant checked would have ended it at once with AUTHENTICATION
            assertEquals("closed without AUTHENTICATION", ending.get(30, TimeUnit.SECONDS));
            trial.record("forged grants read", 0);
        }
    }

    private static int code(ErrorMessage e) {
        assertTrue(e != null, "served (expected: an ERROR)");
        return e.code();
    }

    @Test
    void theGrantOfThePinnedOwnerIsTakenAndTheFileReServedToGrantHoldersOnly() throws Exception {
        Path source = shared(2 << 20, 63);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = owner(tracker, true);
             Viewer reader = reader()) {
            Manifest m = server.manifests().get(0);
            byte[] played = PrivateTrackerTest.play(reader, asked(m.contentId(), List.of(server.address()),
                    Map.of(server.address(), OWNER.peerId())));
            assertArrayEquals(Files.readAllBytes(source), played);
            ErrorMessage none = ask(reader, m.contentId(), null);
            assertEquals(ErrorCode.FORBIDDEN.code(), code(none));
            assertTrue(none.message().contains("showed no grant"), none.message());
            Grant owners = Grant.forStream(OWNER, RawClient.PEER_ID, m.contentId(), Long.MAX_VALUE);
            assertNull(ask(reader, m.contentId(), owners), "served to a peer showing the owner's grant");
        }
    }

    @Test
    void withNoOwnerPinnedAPrivateFileIsFetchedAndServedToNobody() throws Exception {
        Path source = shared(1 << 20, 64);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = owner(tracker, true);
             Viewer reader = reader()) {
            Manifest m = server.manifests().get(0);
            byte[] played = PrivateTrackerTest.play(reader, asked(m.contentId(), List.of(server.address()),
                    Map.of()));
            assertArrayEquals(Files.readAllBytes(source), played);
            Grant owners = Grant.forStream(OWNER, RawClient.PEER_ID, m.contentId(), Long.MAX_VALUE);
            assertEquals(ErrorCode.NOT_FOUND.code(), code(ask(reader, m.contentId(), owners)));
            assertEquals(ErrorCode.NOT_FOUND.code(), code(ask(reader, m.contentId(), null)));
        }
    }

    @Test
    void aPinnedPeerThatProvesAnotherIdEndsTheReaderWithStatus6() throws Exception {
        shared(1 << 20, 65);
        PeerId pinned = Identity.generate().peerId();
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = owner(tracker, false);
             Viewer reader = reader()) {
            Manifest m = server.manifests().get(0);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> reader.open(asked(m.contentId(), List.of(server.address()),
                            Map.of(server.address(), pinned))).get(30, TimeUnit.SECONDS));
            StreamFailure f = (StreamFailure) StreamFailure.root(e);
            assertEquals(StreamFailure.TRACKER_IDENTITY, f.exitStatus(), f.getMessage());
            String address = server.address().getAddress().getHostAddress() + ":" + server.address().getPort();
            assertEquals("peer " + address + " proved peer id " + OWNER.peerId().text() + " (expected: "
                    + pinned.text() + ", the id given as --peer " + address + "#" + pinned.text() + ")",
                    f.getMessage());
        }
    }
}
