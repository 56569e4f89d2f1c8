package p2pstream.tracker;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.GrantBudget;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ConnectPeer;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Mapped;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.RelayOffer;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Welcome;
import p2pstream.common.wire.Withdraw;

/**
 * One peer's session with the tracker: HELLO first, then ANNOUNCE, WITHDRAW, LIST, LOOKUP and PING. Runs on
 * its connection's loop; registry work goes to the registry loop through {@link RegistryRequests}.
 */
final class TrackerSession implements ConnectionHandler {
    private static final Logger log = LoggerFactory.getLogger(TrackerSession.class);

    /**
     * A registered peer as the registry sees it: the address it serves on is the one handed out; a viewer (a
     * peer-client) or a peer-server.
     */
    record Peer(long sessionId, PeerId peerId, InetSocketAddress address, boolean viewer, boolean mapped) {
        Peer(long sessionId, PeerId peerId, InetSocketAddress address) {
            this(sessionId, peerId, address, false, false);
        }

        Peer(long sessionId, PeerId peerId, InetSocketAddress address, boolean viewer) {
            this(sessionId, peerId, address, viewer, false);
        }

        /** The same peer, reached at {@code at}: a port its router maps for it. */
        Peer mappedAt(InetSocketAddress at) {
            return new Peer(sessionId, peerId, at, viewer, true);
        }
    }

    private final Tracker tracker;
    private Connection connection;
    private Peer peer;
    private RegistryRequests requests;
    /** Made at HELLO: the dial-back, the round trip, CONNECT and MAPPED (section 11). */
    private SessionReach reach;
    /** Made at HELLO: ACCOUNT and DEVICES (section 10). */
    private SessionAccounts accounts;
    /** Made at HELLO: OFFER (section 10). */
    private SessionOffers offers;
    /** Made at the session's first PRIVATE_ANNOUNCE or OFFER. */
    private GrantBudget grantChecks;

    TrackerSession(Tracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void onOpen(Connection c) {
        this.connection = c;
        log.debug("{} connected", c.remoteAddress());
    }

    @Override
    public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
        MessageType t = MessageType.of(type);
        if (peer == null) {
            onHello(Hello.decodeFirst(t, payload));
            return;
        }
        switch (t) {
            case ANNOUNCE -> onAnnounce(Announce.decode(payload), null);
            case PRIVATE_ANNOUNCE -> onPrivateAnnounce(payload);
            case WITHDRAW -> {
                Withdraw w = Withdraw.decode(payload);
                tracker.metrics().withdraws.inc();
                long session = peer.sessionId();
                requests.update(r -> {
                    r.withdraw(session, w.contentId());
                    tracker.offers().onWithdrawn(session, w.contentId()); // its offers go with it, as its grants
                });
            }
            case LIST -> {
                ListStreams l = ListStreams.decode(payload);
                tracker.metrics().lists.inc();
                requests.list(new ListScan(l.filter(), l.limit(), reader(), nowMillis()));
            }
            case LOOKUP -> {
                Lookup l = Lookup.decode(payload);
                tracker.metrics().lookups.inc();
                long session = peer.sessionId();
                PeerId reader = reader();
                long now = nowMillis();
                requests.query(r -> r.lookup(l.contentId(), l.name(), l.maxPeers(), session, reader, now));
            }
            case PING -> {
                EmptyMessage.decode(t, payload);
                connection.send(EmptyMessage.PONG);
            }
            case PONG -> EmptyMessage.decode(t, payload);
            case CONNECT -> reach.onConnect(ConnectPeer.decode(payload));
            case RELAY -> tracker.rendezvous().onRelayOffer(this, RelayOffer.decode(payload).port());
            case MAPPED -> reach.onMapped(Mapped.decode(payload));
            case ACCOUNT -> accounts.onAccount(payload);
            case DEVICES -> accounts.onDevices(payload);
            case OFFER -> offers.onOffer(payload, requests);
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t + " (expected: ANNOUNCE,"
                    + " PRIVATE_ANNOUNCE, WITHDRAW, LIST, LOOKUP, CONNECT, RELAY, MAPPED, ACCOUNT, DEVICES, OFFER or"
                    + " PING on a tracker session)");
        }
    }

    /** The peer as registered; null before HELLO. */
    Peer peer() {
        return peer;
    }

    /** The peer reached at another address now (a port its router maps). Loop only. */
    void peer(Peer p) {
        this.peer = p;
    }

    long rttMillis() {
        return reach.rttMillis();
    }

    boolean reachable() {
        return reach.reachable();
    }

    /** Runs {@code r} once the dial-back has said whether the peer is reachable (now, when it has). Loop only. */
    void whenDialedBack(Runnable r) {
        reach.whenDialedBack(r);
    }

    /** Sends {@code m} on the session's loop, if it is still open. Any thread. */
    void send(Message m) {
        connection.loop().execute(() -> {
            if (connection.isOpen()) {
                connection.send(m);
            }
        });
    }

    @Override
    public void onClose(String reason) {
        if (peer != null) {
            tracker.rendezvous().onClose(this);
            tracker.metrics().onSessionClosed();
            requests.close();
            long session = peer.sessionId();
            onRegistryLoop(() -> {
                tracker.registry().removeSession(session);
                tracker.offers().onSessionEnded(session);
            });
            log.info("{} session {} ended: {}", connection.remoteAddress(), session, reason);
        } else if (connection != null) {
            log.debug("{} closed before HELLO: {}", connection.remoteAddress(), reason);
        }
    }

    private void onHello(Hello hello) throws ProtocolException {
        if (hello.role() == Role.TRACKER) {
            throw new ProtocolException(ErrorCode.BAD_HELLO, "role: TRACKER (expected: SERVER or CLIENT)");
        }
        hello.expectProvedBy(connection.remotePeerId());
        InetSocketAddress remote = connection.remoteAddress();
        peer = new Peer(tracker.nextSessionId(), hello.peerId(),
                new InetSocketAddress(remote.getAddress(), hello.listenPort()), hello.role() == Role.CLIENT);
        connection.helloAccepted();
        tracker.metrics().onSessionOpened();
        connection.idleTimeoutMillis(tracker.sessionTimeoutMillis());
        requests = new RegistryRequests(tracker, connection);
        connection.send(new Welcome(peer.sessionId(), peer.address()));
        reach = new SessionReach(tracker, this, connection);
        accounts = new SessionAccounts(tracker, connection, hello.peerId());
        offers = new SessionOffers(tracker, this, connection);
        tracker.rendezvous().onHello(this);
        log.info("{} session {} opened: {} peer {} serving on port {}{}", remote, peer.sessionId(), hello.role(),
                hello.peerId().text(), hello.listenPort(),
                connection.isEncrypted() ? "" : " (plaintext: both allow it)");
    }

    /**
     * The id this session proved, as private streams judge it: none on a plaintext session, where a private stream
     * never shows.
     */
    PeerId reader() {
        return connection.isEncrypted() ? peer.peerId() : null;
    }

    /** Wall-clock time for grants' expiry, from the session loop's clock (the registry loop shares it). */
    private long nowMillis() {
        return connection.loop().clock().epochMicros() / 1000;
    }

    /**
     * A PRIVATE_ANNOUNCE: its grants must be the session's own (as their owner, or the one grant naming it) and
     * verify, else ERROR AUTHENTICATION and close; on a plaintext session, FORBIDDEN. The signatures one session
     * has checked are bounded ({@link GrantBudget}): past it, RATE_LIMITED and close.
     */
    private void onPrivateAnnounce(ByteBuffer payload) throws ProtocolException {
        if (!connection.isEncrypted()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "private announce on a plaintext session (expected: an"
                    + " encrypted one; a private stream never travels in plaintext)");
        }
        GrantBudget grantChecks = grantChecks();
        if (!grantChecks.hasRoom()) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "grants to check: more than "
                    + GrantBudget.TRACKER_BURST + " at once or " + GrantBudget.TRACKER_PER_SECOND + " a second"
                    + " (expected: within them)");
        }
        PrivateAnnounce p = PrivateAnnounce.decode(payload, peer.peerId());
        grantChecks.spend(p.grants().size());
        onAnnounce(p.announce(), p);
    }

    /** The grant signatures this session may have checked (PRIVATE_ANNOUNCE and OFFER), made at first use. */
    GrantBudget grantChecks() {
        if (grantChecks == null) {
            grantChecks = GrantBudget.forTracker(connection.loop().clock());
        }
        return grantChecks;
    }

    private void onAnnounce(Announce a, PrivateAnnounce p) throws ProtocolException {
        if (peer.address().getPort() == 0) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "announce: listen port 0 (expected: a peer that serves)");
        }
        tracker.metrics().announces.inc();
        Peer holder = peer;
        Connection c = connection;
        long now = nowMillis();
        requests.update(r -> {
            String refused = p == null ? r.announce(holder, a) : r.announce(holder, a, p, now);
            if (refused != null) {
                // refuse this one announcement only: closing would drop the peer's other, good entries, and
                // anyone can announce a public content id first with a wrong name
                tracker.onRefused(c.remoteAddress(), holder.sessionId(), refused);
            }
        });
    }

    /** Runs after every request this session handed over; requests not handed over yet are dropped (closed). */
    void onRegistryLoop(Runnable task) {
        if (connection.loop() == tracker.registryLoop()) {
            task.run();
        } else {
            tracker.registryLoop().execute(task);
        }
    }
}
