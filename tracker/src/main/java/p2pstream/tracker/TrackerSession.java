package p2pstream.tracker;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
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
import p2pstream.common.wire.Reach;
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

    /** CONNECT requests a session may make in a window; beyond, they are dropped (a busy viewer, or a flood). */
    static final int MAX_CONNECTS_PER_WINDOW = 32;
    static final long CONNECT_WINDOW_MILLIS = 10_000;
    /** A MAPPED within this long of the last is dropped: a router mapping changes rarely. */
    static final long MAPPED_INTERVAL_MILLIS = 60_000;

    private final Tracker tracker;
    private Connection connection;
    private Peer peer;
    private RegistryRequests requests;
    /** The session's round trip as its handshake measured it (-1 unknown); read by other loops. */
    private volatile long rttMillis = -1;
    /** Whether the dial-back reached the peer; false until it did. Read by other loops. */
    private volatile boolean reachable;
    /** Work waiting for the dial-back's answer (a CONNECT needs it); null once it came or none runs. Loop only. */
    private List<Runnable> awaitingDialBack;
    private long connectWindowNanos;
    private long mappedAtNanos = Long.MIN_VALUE / 2;
    private int connectsInWindow;
    /** Made at the session's first PRIVATE_ANNOUNCE. */
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
                requests.update(r -> r.withdraw(session, w.contentId()));
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
            case CONNECT -> onConnect(ConnectPeer.decode(payload));
            case RELAY -> tracker.rendezvous().onRelayOffer(this, RelayOffer.decode(payload).port());
            case MAPPED -> onMapped(Mapped.decode(payload));
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t
                    + " (expected: ANNOUNCE, PRIVATE_ANNOUNCE, WITHDRAW, LIST, LOOKUP, CONNECT, RELAY, MAPPED or PING"
                    + " on a tracker session)");
        }
    }

    /** The peer as registered; null before HELLO. */
    Peer peer() {
        return peer;
    }

    long rttMillis() {
        return rttMillis;
    }

    boolean reachable() {
        return reachable;
    }

    /** Runs {@code r} once the dial-back has said whether the peer is reachable (now, when it has). Loop only. */
    void whenDialedBack(Runnable r) {
        if (awaitingDialBack == null) {
            r.run();
        } else if (awaitingDialBack.size() < MAX_CONNECTS_PER_WINDOW) {
            awaitingDialBack.add(r);
        }
    }

    /** Sends {@code m} on the session's loop, if it is still open. Any thread. */
    void send(Message m) {
        connection.loop().execute(() -> {
            if (connection.isOpen()) {
                connection.send(m);
            }
        });
    }

    private void onConnect(ConnectPeer c) throws ProtocolException {
        if (peer.address().getPort() == 0) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "connect: listen port 0 (expected: a peer that listens,"
                    + " which the holder can connect to)");
        }
        long now = connection.loop().nanoTime();
        if (now - connectWindowNanos > CONNECT_WINDOW_MILLIS * 1_000_000) {
            connectWindowNanos = now;
            connectsInWindow = 0;
        }
        if (++connectsInWindow > MAX_CONNECTS_PER_WINDOW) {
            log.debug("{} session {}: CONNECT dropped: more than {} in {} ms", connection.remoteAddress(),
                    peer.sessionId(), MAX_CONNECTS_PER_WINDOW, CONNECT_WINDOW_MILLIS);
            return;
        }
        tracker.rendezvous().onConnect(this, c);
    }

    @Override
    public void onClose(String reason) {
        if (peer != null) {
            tracker.rendezvous().onClose(this);
            tracker.metrics().onSessionClosed();
            requests.close();
            long session = peer.sessionId();
            onRegistryLoop(() -> tracker.registry().removeSession(session));
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
        rttMillis = connection.handshakeRoundTripMillis();
        tracker.rendezvous().onHello(this);
        if (hello.listenPort() != 0) {
            Peer p = peer;
            awaitingDialBack = new ArrayList<>(1);
            DialBack.start(connection.loop(), tracker.key(), p, reached -> onDialedBack(p, reached));
        }
        log.info("{} session {} opened: {} peer {} serving on port {}{}", remote, peer.sessionId(), hello.role(),
                hello.peerId().text(), hello.listenPort(),
                connection.isEncrypted() ? "" : " (plaintext: both allow it)");
    }

    /**
     * The peer's router maps a port for it: dialed back there, and when reached that is the address handed out. One
     * dial-back at a time, and one a minute at most: each costs the tracker a connection.
     */
    private void onMapped(Mapped m) throws ProtocolException {
        if (peer.address().getPort() == 0) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "mapped: listen port 0 (expected: a peer that listens)");
        }
        long now = connection.loop().nanoTime();
        if (now - mappedAtNanos < MAPPED_INTERVAL_MILLIS * 1_000_000) {
            log.debug("{} session {}: MAPPED dropped: one came within {} ms", connection.remoteAddress(),
                    peer.sessionId(), MAPPED_INTERVAL_MILLIS);
            return;
        }
        mappedAtNanos = now;
        // after the dial-back that runs, if one does: the mapping may be what let it through
        whenDialedBack(() -> onMappedAt(peer.mappedAt(new InetSocketAddress(peer.address().getAddress(), m.port()))));
    }

    private void onMappedAt(Peer at) {
        if (!connection.isOpen()) {
            return;
        }
        if (reachable && at.address().equals(peer.address())) {
            peer = at; // reached there already: through the router's mapping
            onRegistryLoop(() -> tracker.registry().remap(at));
            log.info("{} session {}: reachable at {} through its router's port mapping", connection.remoteAddress(),
                    at.sessionId(), at.address());
            return;
        }
        awaitingDialBack = new ArrayList<>(1);
        DialBack.start(connection.loop(), tracker.key(), at, reached -> {
            if (reached) {
                peer = at;
                onRegistryLoop(() -> tracker.registry().remap(at));
            }
            onDialedBack(peer, reached || reachable);
        });
    }

    private void onDialedBack(Peer p, boolean reached) {
        reachable = reached;
        tracker.metrics().onDialBack(reached);
        List<Runnable> waiting = awaitingDialBack;
        awaitingDialBack = null;
        if (!connection.isOpen()) {
            // what waited is for a session that is gone: a relay offer taken now would outlive its close
            return;
        }
        waiting.forEach(Runnable::run);
        connection.send(new Reach(reached, p.address()));
        long session = p.sessionId();
        onRegistryLoop(() -> tracker.registry().reach(session, reached));
        log.info("{} session {}: {} at {}", connection.remoteAddress(), session,
                reached ? "reachable" : "not reachable (its NAT or firewall let no one in)", p.address());
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
        if (grantChecks == null) {
            grantChecks = GrantBudget.forTracker(connection.loop().clock());
        }
        if (!grantChecks.hasRoom()) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "grants to check: more than "
                    + GrantBudget.TRACKER_BURST + " at once or " + GrantBudget.TRACKER_PER_SECOND + " a second"
                    + " (expected: within them)");
        }
        PrivateAnnounce p = PrivateAnnounce.decode(payload, peer.peerId());
        grantChecks.spend(p.grants().size());
        onAnnounce(p.announce(), p);
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
    private void onRegistryLoop(Runnable task) {
        if (connection.loop() == tracker.registryLoop()) {
            task.run();
        } else {
            tracker.registryLoop().execute(task);
        }
    }
}
