package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
import p2pstream.common.net.SecureStreams;
import p2pstream.common.net.Trial;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
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
 * A peer-server sharing privately ({@code --private --allow ID}), fetched straight from it: the allowed reader gets
 * the file identical, over an encrypted connection only; any other id is refused with its own status and does not
 * find it through the tracker; the reader serves it on only to peers showing a grant (PrivateTrackerTest: through the
 * tracker).
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

            // through the tracker it does not exist for another id (PrivateTrackerTest: the reader finds it there)
            WatchException byName = assertThrows(WatchException.class, () -> TestSwarm.download(
                    Watch.Config.of(tracker.address(), "club/june.mp4").withSecurity(as(Identity.generate(), false)),
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
    void aReaderServesThePrivateFileOnlyToPeersShowingAGrant() throws Exception {
        Path source = shared(2 << 20, 43);
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = privateServer(tracker, false);
             Viewer reader = new Viewer(new Viewer.Config(null, true, 0, 0, InetAddress.getLoopbackAddress(),
                     Timings.DEFAULT, as(READER, false)))) {
            server.announced().get(10, TimeUnit.SECONDS);
            Manifest m = server.manifests().get(0);
            // the owner pinned (--peer HOST:PORT#ID): its GRANT is taken (PinnedOwnerTest: none is without)
            StreamRequest request = new StreamRequest(m.contentId().hex(), List.of(server.address()), 8, 128, 20_000,
                    2_000, null, 0, 0, 2_000, null, Map.of(server.address(), OWNER.peerId()));
            FileStream f = (FileStream) reader.open(request).get(10, TimeUnit.SECONDS);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            FilePlayer player = new FilePlayer(f.manifest(), f.store(), f.arrivals(), 0, f.window(),
                    f::onReaderMoved, Channels.newChannel(bytes), Clock.SYSTEM, false, FilePlayer.Pacing.NONE);
            f.addReader(player);
            new Thread(player, "player").start();
            player.result().get(30, TimeUnit.SECONDS);
            assertArrayEquals(Files.readAllBytes(source), bytes.toByteArray());
            assertTrue(reader.listenPort() != 0, "the viewer serves what it may");
            CompletableFuture<String> refusal = new CompletableFuture<>();
            reader.loop().execute(() -> refusal.complete(reader.catalog().refusal(Identity.generate().peerId(), true,
                    m.contentId(), null, System.currentTimeMillis())));
            assertTrue(refusal.get(10, TimeUnit.SECONDS).contains("showed no grant"), "served to grant holders only");
        }
    }

    @HostileCase(value = "A peer hands the viewer a forged grant, or one signed by another owner (beside a seed)",
            expect = "the viewer closes that link (AUTHENTICATION) each time and gets the file identical from the"
                    + " seed", section = HostileCase.TRANSPORT)
    void aForgedOrForeignGrantClosesThatLinkAndNothingElse(Trial trial) throws Exception {
        Path source = shared(2 << 20, 44);
        try (TestSwarm swarm = TestSwarm.start(dir.resolve("swarm"), source, "june.mp4", 1, (2 << 20) / 2)) {
            Manifest m = swarm.servers.get(0).manifests().get(0);
            for (boolean forged : new boolean[] {true, false}) {
                try (ServerSocket liar = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
                    SecureStreams.warmUp();
                    CompletableFuture<String> ending = CompletableFuture.supplyAsync(() -> handGrant(liar, m, forged),
                            r -> new Thread(r, "grant-liar").start());
                    Path out = dir.resolve("out-" + forged + ".mp4");
                    TestSwarm.download(swarm.config(m.contentId().hex()).withUpload(false).withPeerAddresses(
                            List.of(new InetSocketAddress(liar.getInetAddress(), liar.getLocalPort()),
                                    swarm.servers.get(0).address())), out);
                    assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
                    assertEquals("closed after the grant", ending.get(30, TimeUnit.SECONDS), "forged " + forged);
                }
            }
            trial.record("grants refused (one forged, one of another owner)", 2);
        }
    }

    /** Answers one viewer's HELLO with a HELLO and a bad grant; how the viewer took it. */
    static String handGrant(ServerSocket liar, Manifest m, boolean forged) {
        try (Socket s = liar.accept()) {
            s.setSoTimeout(20_000);
            SecureStreams io = SecureStreams.accept(s.getInputStream(), s.getOutputStream(), RawClient.KEY);
            DataInputStream in = new DataInputStream(io.in);
            DataOutputStream out = new DataOutputStream(io.out);
            byte[] hello = RawFrames.readFrame(in);
            Hello theirs = Hello.decode(ByteBuffer.wrap(hello, 1, hello.length - 1).slice());
            RawFrames.write(out, new Hello(Role.SERVER, RawClient.PEER_ID, 0, m.contentId()));
            // signed by an identity that is not the peer on this link, for the right reader and stream
            byte[] grant = Grant.forStream(Identity.generate(), theirs.peerId(), m.contentId(), Long.MAX_VALUE)
                    .bytes();
            if (forged) {
                grant[grant.length - 1] ^= 1; // and its signature broken
            }
            RawFrames.write(out, new GrantBytes(grant));
            boolean refused = false;
            try {
                while (true) {
                    byte[] f = RawFrames.readFrame(in);
                    refused |= f[0] == MessageType.ERROR.code() && ErrorMessage.decode(
                            ByteBuffer.wrap(f, 1, f.length - 1).slice()).code() == ErrorCode.AUTHENTICATION.code();
                }
            } catch (EOFException e) {
                return refused ? "closed after the grant" : "closed without AUTHENTICATION";
            }
        } catch (IOException | ProtocolException e) {
            return e.toString();
        }
    }

    /** A GRANT frame of any bytes, for a grant a correct encoder would not make. */
    record GrantBytes(byte[] bytes) implements Message {
        @Override
        public MessageType type() {
            return MessageType.GRANT;
        }

        @Override
        public int payloadLength() {
            return bytes.length;
        }

        @Override
        public void encodePayload(ByteBuffer out) {
            out.put(bytes);
        }
    }
}
