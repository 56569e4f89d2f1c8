package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.access.Grant;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.common.net.Limits;
import p2pstream.common.net.RawClient;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ConnectPeer;
import p2pstream.common.wire.Dial;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reach;
import p2pstream.common.wire.RelayOffer;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Welcome;

/**
 * The tracker's part in reaching peers behind NATs (PROTOCOL.md section 11), against raw sessions on loopback: its
 * dial-back says who can be reached (REACH, the PEERS flag), and a CONNECT is answered with DIALs to both sides, a
 * punch between two unreachable peers and a reversal for a reachable asker; a CONNECT it must not act on (the holder
 * does not hold the stream, a flood, a peer that does not listen) gets no DIAL or a clear error.
 */
class TrackerRendezvousTest extends TrackerFixture {

    @Test
    @Timeout(30)
    void aPeerNobodyCanDialIsToldSoAndFlaggedInPeers() throws Exception {
        int nothing = freePort();
        try (RawClient holder = session(nothing); RawClient asker = session(freePort())) {
            Reach reach = holder.expect(MessageType.REACH, Reach::decode);
            assertFalse(reach.reachable(), "nothing listens on its port");
            assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), nothing), reach.address());
            holder.send(announce(ID, "dir/movie.mp4"), Lookup.byContentId(ID, 1));
            holder.expect(MessageType.PEERS, Peers::decode); // the announcement is in
            asker.expect(MessageType.REACH, Reach::decode);
            asker.send(Lookup.byContentId(ID, 10));
            Peers peers = asker.expect(MessageType.PEERS, Peers::decode);
            assertEquals(1, peers.peers().size());
            assertFalse(peers.peers().get(0).reachable(), "the entry says: ask the tracker to connect");
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void aConnectBetweenTwoUnreachablePeersIsAPunchToldToBoth() throws Exception {
        try (RawClient holder = session(freePort()); RawClient asker = session(freePort())) {
            dialedBackThenAnnounced(holder, asker);
            asker.send(new ConnectPeer(ID, holder.peerId));

            Dial toAsker = asker.expect(MessageType.DIAL, Dial::decode);
            Dial toHolder = holder.expect(MessageType.DIAL, Dial::decode);
            assertEquals(Dial.Mode.PUNCH, toAsker.mode());
            assertEquals(Dial.Mode.PUNCH, toHolder.mode());
            assertTrue(toAsker.fetcher() && !toHolder.fetcher(), "the asker fetches, the holder serves");
            assertEquals(holder.peerId, toAsker.other());
            assertEquals(asker.peerId, toHolder.other());
            assertEquals(ID, toAsker.contentId());
            assertEquals(listenAddress(holder), toAsker.otherAddress());
            assertEquals(listenAddress(asker), toHolder.otherAddress());
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void aReachableAskerGetsAReversal() throws Exception {
        StaticKey askerKey = StaticKey.of(Identity.generate());
        try (EventLoopGroup group = new EventLoopGroup("asker", 1);
             Acceptor listener = listening(group, askerKey);
             RawClient holder = session(freePort());
             RawClient asker = session(askerKey, listener.localAddress().getPort())) {
            assertTrue(asker.expect(MessageType.REACH, Reach::decode).reachable(), "its listener answered");
            holder.expect(MessageType.REACH, Reach::decode);
            holder.send(announce(ID, "dir/movie.mp4"), Lookup.byContentId(ID, 1));
            holder.expect(MessageType.PEERS, Peers::decode);
            asker.send(new ConnectPeer(ID, holder.peerId));

            assertEquals(Dial.Mode.REVERSAL, asker.expect(MessageType.DIAL, Dial::decode).mode());
            Dial toHolder = holder.expect(MessageType.DIAL, Dial::decode);
            assertEquals(Dial.Mode.REVERSAL, toHolder.mode());
            assertEquals(listenAddress(asker), toHolder.otherAddress(), "the holder connects to the asker");

            // the other way round: anyone can dial the asker, so a CONNECT to it is not acted on; one to an
            // unreachable holder right after it is (the two take the same path, in order)
            try (RawClient unreachable = session(freePort())) {
                unreachable.expect(MessageType.REACH, Reach::decode);
                for (RawClient c : new RawClient[] {asker, unreachable}) {
                    c.send(announce(ID, "dir/movie.mp4"), Lookup.byContentId(ID, 1));
                    c.expect(MessageType.PEERS, Peers::decode);
                }
                holder.send(new ConnectPeer(ID, asker.peerId), new ConnectPeer(ID, unreachable.peerId));
                assertEquals(unreachable.peerId, holder.expect(MessageType.DIAL, Dial::decode).other(),
                        "no DIAL for the reachable one");
            }
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void aConnectAskedAgainAfterAPunchIsRelayedUnlessItAsksForADirectPathOnly() throws Exception {
        StaticKey relayKey = StaticKey.of(Identity.generate());
        try (EventLoopGroup group = new EventLoopGroup("relay", 1);
             Acceptor listener = listening(group, relayKey);
             RawClient relay = session(relayKey, listener.localAddress().getPort());
             RawClient holder = session(freePort()); RawClient asker = session(freePort())) {
            assertTrue(relay.expect(MessageType.REACH, Reach::decode).reachable(), "its listener answered");
            // the session's frames are taken in order: once the lookup is answered, the offer is in
            relay.send(new RelayOffer(listener.localAddress().getPort()), Lookup.byContentId(ID, 1));
            relay.expect(MessageType.PEERS, Peers::decode);
            dialedBackThenAnnounced(holder, asker);
            asker.send(new ConnectPeer(ID, holder.peerId));
            assertEquals(Dial.Mode.PUNCH, asker.expect(MessageType.DIAL, Dial::decode).mode());
            holder.expect(MessageType.DIAL, Dial::decode);

            asker.send(new ConnectPeer(ID, holder.peerId, true));
            assertEquals(Dial.Mode.PUNCH, asker.expect(MessageType.DIAL, Dial::decode).mode(),
                    "a relayed asker trying for a direct path gets a punch again");
            holder.expect(MessageType.DIAL, Dial::decode);
            asker.send(new ConnectPeer(ID, holder.peerId));
            Dial relayed = asker.expect(MessageType.DIAL, Dial::decode);
            assertEquals(Dial.Mode.RELAY, relayed.mode(), "asked again after a punch, without direct only");
            assertEquals(listener.localAddress().getPort(), relayed.otherAddress().getPort());
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void connectsTheTrackerMustNotActOnGetNoDial() throws Exception {
        try (RawClient holder = session(freePort()); RawClient asker = session(freePort())) {
            dialedBackThenAnnounced(holder, asker);
            // a stream the holder does not hold, an id nobody has, the asker itself: nothing to arrange
            asker.send(new ConnectPeer(OTHER_ID, holder.peerId), new ConnectPeer(ID, new PeerId(7, 7)),
                    new ConnectPeer(ID, asker.peerId), Lookup.byContentId(ID, 1));
            asker.expect(MessageType.PEERS, Peers::decode); // came after anything those could have caused
            // a flood: only the first CONNECTs of the window are acted on
            for (int i = 0; i < SessionReach.MAX_CONNECTS_PER_WINDOW + 10; i++) {
                asker.send(new ConnectPeer(ID, holder.peerId));
            }
            asker.send(Lookup.byContentId(ID, 1));
            int dials = 0;
            for (RawClient.Frame f = asker.read(); f.type() != MessageType.PEERS.code(); f = asker.read()) {
                assertEquals(MessageType.DIAL.code(), f.type(), f.describe());
                dials++;
            }
            assertEquals(SessionReach.MAX_CONNECTS_PER_WINDOW - 3, dials,
                    "the window's CONNECTs less the three not acted on");
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void aConnectToAPrivateStreamsHolderIsArrangedForItsGranteesOnly() throws Exception {
        Identity owner = Identity.generate();
        StaticKey granteeKey = StaticKey.of(Identity.generate());
        try (RawClient holder = session(StaticKey.of(owner), freePort());
             RawClient stranger = session(freePort());
             RawClient grantee = session(granteeKey, freePort())) {
            holder.expect(MessageType.REACH, Reach::decode);
            stranger.expect(MessageType.REACH, Reach::decode);
            grantee.expect(MessageType.REACH, Reach::decode);
            holder.send(new PrivateAnnounce(announce(ID, "dir/movie.mp4"),
                    List.of(Grant.forStream(owner, granteeKey.peerId(), ID, Long.MAX_VALUE))),
                    Lookup.byContentId(ID, 1));
            holder.expect(MessageType.PEERS, Peers::decode);
            // a stranger who knows the content id and the holder's id learns nothing: no DIAL, no address
            stranger.send(new ConnectPeer(ID, holder.peerId), Lookup.byContentId(ID, 1));
            assertFalse(stranger.expect(MessageType.PEERS, Peers::decode).found(), "no DIAL came before it");
            grantee.send(new ConnectPeer(ID, holder.peerId));
            assertEquals(Dial.Mode.PUNCH, grantee.expect(MessageType.DIAL, Dial::decode).mode());
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(30)
    void aConnectFromAPeerThatDoesNotListenIsUnexpected() throws Exception {
        try (RawClient asker = connect()) {
            asker.trackerHello(0);
            asker.send(new ConnectPeer(ID, RawClient.PEER_ID));
            asker.expectErrorThenEof(ErrorCode.UNEXPECTED);
        }
        awaitNoConnectionsAndNoEntries();
    }

    /** Both sessions' dial-backs are over, and the holder's announcement of ID is in. */
    private static void dialedBackThenAnnounced(RawClient holder, RawClient asker) throws Exception {
        holder.expect(MessageType.REACH, Reach::decode);
        asker.expect(MessageType.REACH, Reach::decode);
        holder.send(announce(ID, "dir/movie.mp4"), Lookup.byContentId(ID, 1));
        holder.expect(MessageType.PEERS, Peers::decode);
    }

    /** Where each session's peer listens, as its WELCOME gave it. */
    private final Map<RawClient, InetSocketAddress> listening = new HashMap<>();

    private InetSocketAddress listenAddress(RawClient c) {
        return listening.get(c);
    }

    /** A secure session with a fresh identity whose HELLO gives {@code listenPort}; REACH frames are kept. */
    private RawClient session(int listenPort) throws IOException, ProtocolException {
        return session(StaticKey.of(Identity.generate()), listenPort);
    }

    private RawClient session(StaticKey key, int listenPort) throws IOException, ProtocolException {
        RawClient c = RawClient.secure(tracker.address(), key).keepReach();
        Welcome w = c.trackerHello(listenPort);
        listening.put(c, w.observedAddress());
        return c;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // closed again: a dial-back there is refused
        }
    }

    /** A reachable peer's listener on loopback, proving {@code key}: it answers the tracker's dial-back. */
    private static Acceptor listening(EventLoopGroup group, StaticKey key) throws IOException {
        InetSocketAddress anyPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        return Acceptor.open(group, anyPort, () -> new HelloBack(key), Limits.CONTROL, 8, 8, null, Acceptor.ERROR_FRAME,
                key);
    }

    /** A peer's listener as far as the dial-back goes: a tracker's HELLO is answered with ours. */
    private static final class HelloBack implements ConnectionHandler {
        private final StaticKey key;
        private Connection connection;

        HelloBack(StaticKey key) {
            this.key = key;
        }

        @Override
        public void onOpen(Connection c) {
            connection = c;
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            Hello hello = Hello.decodeFirst(MessageType.of(type), payload);
            assertNotNull(hello);
            connection.send(new Hello(Role.CLIENT, key.peerId(), 0, null));
            connection.closeAfterFlush("answered");
        }

        @Override
        public void onClose(String reason) {
        }
    }
}
