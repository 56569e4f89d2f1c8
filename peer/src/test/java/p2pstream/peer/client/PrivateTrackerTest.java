package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.access.Grant;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Clock;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Wire;
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
 * Private streams through the tracker, in one JVM on loopback: a peer-server {@code --private --allow} two ids
 * announces its file with a grant for each; an allowed id lists it (marked private) and fetches it by name, with no
 * --peer; another id sees nothing and gets "not found"; the first reader re-serves it, to the second allowed id
 * (whose bytes come from both) and to nobody without a grant.
 */
@Timeout(90)
class PrivateTrackerTest {
    private static final Identity OWNER = Identity.generate();
    private static final Identity FIRST = Identity.generate();
    private static final Identity SECOND = Identity.generate();
    private static final Identity STRANGER = Identity.generate();
    private static final String NAME = "club/june.mp4";
    /** Each holder serves at most this: the second reader takes from both for the whole download. */
    private static final long UPLOAD_BYTES_PER_SECOND = 1 << 20;

    @TempDir
    Path dir;

    private static Security as(Identity who) {
        return new Security(StaticKey.of(who, false), TrackerTrust.any());
    }

    private Path shared(int bytes) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("share/club"));
        return TestSwarm.randomFile(folder, "june.mp4", bytes, 51);
    }

    private PeerServer owner(Tracker tracker, long uploadLimit) throws Exception {
        PeerServer server = PeerServer.start(PeerServer.Config.loopback(tracker.address(), dir.resolve("share"))
                .withUploadLimit(uploadLimit).withSecurity(as(OWNER))
                .withAccess(Access.allowing(OWNER, List.of(FIRST.peerId(), SECOND.peerId()))));
        server.announced().get(10, TimeUnit.SECONDS);
        return server;
    }

    private static Viewer viewer(Tracker tracker, Identity who) throws Exception {
        return new Viewer(new Viewer.Config(tracker.address(), true, 0, UPLOAD_BYTES_PER_SECOND,
                InetAddress.getLoopbackAddress(), Timings.DEFAULT, as(who)));
    }

    private static Watch.Config byName(Tracker tracker, Identity who) {
        return Watch.Config.of(tracker.address(), NAME).withSecurity(as(who)).withUpload(false)
                .withNoPeerTimeoutMillis(10_000);
    }

    @Test
    void theAllowedIdListsAndFetchesByNameAndAnotherIdSeesNothing() throws Exception {
        Path source = shared(3 << 20);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = owner(tracker, 0);
             Viewer first = viewer(tracker, FIRST);
             Viewer stranger = viewer(tracker, STRANGER)) {
            List<Streams.Entry> listed = first.list("", 100).get(10, TimeUnit.SECONDS).streams();
            assertEquals(1, listed.size());
            assertEquals(NAME, listed.get(0).name());
            assertTrue(listed.get(0).isPrivate(), "marked private");
            assertTrue(StreamListing.table(listed).contains(NAME + " (private)"), StreamListing.table(listed));

            Path out = dir.resolve("june.mp4");
            Stats stats = TestSwarm.download(byName(tracker, FIRST), out);
            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
            assertEquals(Files.size(source), stats.bytes());

            assertEquals(List.of(), stranger.list("", 100).get(10, TimeUnit.SECONDS).streams());
            assertFalse(stranger.lookup(NAME).get(10, TimeUnit.SECONDS).found());
            assertFalse(stranger.lookup(server.manifests().get(0).contentId().hex()).get(10, TimeUnit.SECONDS)
                    .found());
            WatchException e = assertThrows(WatchException.class,
                    () -> TestSwarm.download(byName(tracker, STRANGER), dir.resolve("x.mp4")));
            assertEquals(StreamFailure.NOT_FOUND, e.exitStatus(), e.getMessage());
        }
    }

    @Test
    void theFirstReaderReServesItToTheSecondAllowedIdAndToNobodyWithoutAGrant() throws Exception {
        Path source = shared(4 << 20);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = owner(tracker, UPLOAD_BYTES_PER_SECOND);
             Viewer first = viewer(tracker, FIRST);
             Viewer second = viewer(tracker, SECOND)) {
            Manifest m = server.manifests().get(0);
            assertArrayEquals(Files.readAllBytes(source), play(first));
            InetSocketAddress firstAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    first.listenPort());

            // the tracker names the first reader to the second allowed id once it holds the file, never to others
            await("the tracker names the first reader as a holder", () -> holders(second) == 2);
            try (Viewer stranger = viewer(tracker, STRANGER)) {
                assertFalse(stranger.lookup(m.contentId().hex()).get(10, TimeUnit.SECONDS).found());
            }

            Path out = dir.resolve("second.mp4");
            Stats stats = TestSwarm.download(byName(tracker, SECOND), out);
            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
            assertTrue(stats.contributingPeers() >= 2, "bytes from the owner and the first reader: " + stats.peers());
            String firstName = "127.0.0.1:" + first.listenPort();
            assertTrue(stats.peers().stream().anyMatch(p -> p.address().equals(firstName) && p.bytes() > 0),
                    "bytes from the first reader " + firstName + ": " + stats.peers());

            // straight to the first reader, without a grant: refused, with its own status, for the stranger
            WatchException refused = assertThrows(WatchException.class, () -> TestSwarm.download(
                    Watch.Config.of(null, m.contentId().hex()).withPeerAddresses(List.of(firstAddress))
                            .withSecurity(as(STRANGER)).withUpload(false), dir.resolve("y.mp4")));
            assertEquals(StreamFailure.FORBIDDEN, refused.exitStatus(), refused.getMessage());
            assertTrue(refused.getMessage().contains("showed no grant"), refused.getMessage());
            assertFalse(refused.getMessage().contains("june"), "the name stays with those let in: "
                    + refused.getMessage());
        }
    }

    @HostileCase(value = "A peer hands a viewer of a public file a grant it signed itself (after HELLO, as an owner"
            + " would), then refuses it FORBIDDEN", expect = "the grant is not taken (the tracker gave none: the file"
            + " is public and stays so): the viewer fetches it whole and serves it on to a peer that shows no grant",
            section = HostileCase.ACCESS)
    @Timeout(60)
    void aGrantFromAPeerCannotMakeAPublicFilePrivate(Trial trial) throws Exception {
        Path source = shared(2 << 20);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = PeerServer.start(PeerServer.Config.loopback(tracker.address(), dir.resolve("share"))
                     .withSecurity(as(OWNER)));
             ServerSocket evil = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             Viewer first = viewer(tracker, FIRST)) {
            server.announced().get(10, TimeUnit.SECONDS);
            Manifest m = server.manifests().get(0);
            CompletableFuture<String> handed = CompletableFuture.supplyAsync(() -> RawFrames.grantThenRefuse(evil,
                    m.contentId(), m.encoded()), r -> {
                Thread t = new Thread(r, "granting liar");
                t.setDaemon(true);
                t.start();
            });
            StreamRequest asked = new StreamRequest(NAME, List.of(new InetSocketAddress("127.0.0.1",
                    evil.getLocalPort()), server.address()), 8, 128, 20_000, 2_000, null, 0, 0, 2_000, null);
            assertArrayEquals(Files.readAllBytes(source), play(first, asked));
            assertEquals("granted and refused", handed.get(30, TimeUnit.SECONDS));
            // a peer that shows no grant is served: the viewer's copy stayed public
            try (RawClient c = RawClient.secure(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    first.listenPort()), Wire.MAX_PEER_FRAME_BYTES)) {
                c.send(new Hello(Role.CLIENT, RawClient.PEER_ID, 0, m.contentId()));
                assertEquals(m.contentId(), c.expect(MessageType.HELLO, Hello::decode).contentId());
            }
            trial.record("bytes the viewer wrote, all true", source.toFile().length());
        }
    }

    /** Opens the stream by name in {@code v} and reads it to the end, keeping it open (and served). */
    private static byte[] play(Viewer v) throws Exception {
        return play(v, StreamRequest.of(NAME));
    }

    /** Opens {@code asked} in {@code v} and reads it to the end, keeping it open (and served). */
    static byte[] play(Viewer v, StreamRequest asked) throws Exception {
        FileStream f = (FileStream) v.open(asked).get(20, TimeUnit.SECONDS);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FilePlayer player = new FilePlayer(f.manifest(), f.store(), f.arrivals(), 0, f.window(), f::onReaderMoved,
                Channels.newChannel(bytes), Clock.SYSTEM, false, FilePlayer.Pacing.NONE);
        f.addReader(player);
        new Thread(player, "player").start();
        player.result().get(60, TimeUnit.SECONDS);
        return bytes.toByteArray();
    }

    private static int holders(Viewer v) {
        try {
            Peers p = v.lookup(NAME).get(10, TimeUnit.SECONDS);
            return p.found() ? p.peers().size() : 0;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @HostileCase(value = "Peers showing a viewer that re-serves a private file someone else's grant, a forged one, or"
            + " none, over encrypted connections", expect = "FORBIDDEN for another's grant and for none, AUTHENTICATION"
            + " for the forged one, each then closed; the file is never sent", section = HostileCase.ACCESS)
    void aReServingViewerRefusesGrantsThatAreNotTheAskers(Trial trial) throws Exception {
        shared(1 << 20);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = owner(tracker, 0);
             Viewer first = viewer(tracker, FIRST)) {
            play(first);
            ContentId id = server.manifests().get(0).contentId();
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), first.listenPort());
            Grant seconds = Grant.forStream(OWNER, SECOND.peerId(), id, Long.MAX_VALUE);
            // SECOND's genuine grant, shown by a peer that is not SECOND
            assertRefused(at, id, seconds.bytes(), ErrorCode.FORBIDDEN);
            // a grant naming the asker, signed by someone who is not the owner
            assertRefused(at, id, Grant.forStream(Identity.generate(), RawClient.PEER_ID, id, Long.MAX_VALUE).bytes(),
                    ErrorCode.FORBIDDEN);
            // one naming the asker, expired
            assertRefused(at, id, Grant.forStream(OWNER, RawClient.PEER_ID, id, 1).bytes(), ErrorCode.FORBIDDEN);
            byte[] forged = Grant.forStream(OWNER, RawClient.PEER_ID, id, Long.MAX_VALUE).bytes();
            forged[forged.length - 1] ^= 1;
            assertRefused(at, id, forged, ErrorCode.AUTHENTICATION);
            // no grant at all
            try (RawClient c = RawClient.secure(at, Wire.MAX_PEER_FRAME_BYTES)) {
                c.send(new Hello(Role.CLIENT, RawClient.PEER_ID, 0, id));
                ErrorMessage e = c.expectErrorThenEof(ErrorCode.FORBIDDEN);
                assertTrue(e.message().contains("showed no grant"), e.message());
            }
            trial.record("refused", 5);
        }
    }

    private static void assertRefused(InetSocketAddress at, ContentId id, byte[] grant, ErrorCode code)
            throws Exception {
        try (RawClient c = RawClient.secure(at, Wire.MAX_PEER_FRAME_BYTES)) {
            c.send(new Hello(Role.CLIENT, RawClient.PEER_ID, 0, id, true));
            c.sendFrame(MessageType.GRANT.code(), grant);
            ErrorMessage e = c.expectErrorThenEof(code);
            assertFalse(e.message().contains("june"), e.message());
        }
    }
}
