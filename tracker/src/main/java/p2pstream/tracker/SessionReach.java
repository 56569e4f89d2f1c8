package p2pstream.tracker;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Connection;
import p2pstream.common.wire.ConnectPeer;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Mapped;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reach;

/**
 * What the tracker knows of reaching one session's peer (PROTOCOL.md section 11): the round trip its handshake
 * measured, whether the dial-back reached it (and the work waiting for that answer), a router's mapped port, and
 * the pace of its CONNECT and MAPPED requests. Runs on the session's loop; {@link #reachable} and
 * {@link #rttMillis} may be read from any loop.
 */
final class SessionReach {
    private static final Logger log = LoggerFactory.getLogger(SessionReach.class);
    /** CONNECT requests a session may make in a window; beyond, they are dropped (a busy viewer, or a flood). */
    static final int MAX_CONNECTS_PER_WINDOW = 32;
    static final long CONNECT_WINDOW_MILLIS = 10_000;
    /** A MAPPED within this long of the last is dropped: a router mapping changes rarely. */
    static final long MAPPED_INTERVAL_MILLIS = 60_000;

    private final Tracker tracker;
    private final TrackerSession session;
    private final Connection connection;
    private volatile long rttMillis = -1;
    private volatile boolean reachable;
    /** Work waiting for the dial-back's answer (a CONNECT needs it); null once it came or none runs. */
    private List<Runnable> awaitingDialBack;
    private long connectWindowNanos;
    private int connectsInWindow;
    private long mappedAtNanos = Long.MIN_VALUE / 2;

    /** At HELLO: the handshake's round trip is known, and a peer that listens is dialed back. */
    SessionReach(Tracker tracker, TrackerSession session, Connection connection) {
        this.tracker = tracker;
        this.session = session;
        this.connection = connection;
        this.rttMillis = connection.handshakeRoundTripMillis();
        TrackerSession.Peer p = session.peer();
        if (p.address().getPort() != 0) {
            dialBack(p, reached -> onDialedBack(p, reached));
        }
    }

    /** The session's round trip as its handshake measured it, in ms; -1 unknown. Any thread. */
    long rttMillis() {
        return rttMillis;
    }

    /** Whether the dial-back reached the peer; false until it did. Any thread. */
    boolean reachable() {
        return reachable;
    }

    /** Runs {@code r} once the dial-back has said whether the peer is reachable (now, when it has). */
    void whenDialedBack(Runnable r) {
        if (awaitingDialBack == null) {
            r.run();
        } else if (awaitingDialBack.size() < MAX_CONNECTS_PER_WINDOW) {
            awaitingDialBack.add(r);
        }
    }

    /** A CONNECT, handed to the rendezvous within the session's pace; dropped beyond it. */
    void onConnect(ConnectPeer c) throws ProtocolException {
        TrackerSession.Peer peer = session.peer();
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
        tracker.rendezvous().onConnect(session, c);
    }

    /**
     * The peer's router maps a port for it: dialed back there, and when reached that is the address handed out. One
     * dial-back at a time, and one a minute at most: each costs the tracker a connection.
     */
    void onMapped(Mapped m) throws ProtocolException {
        TrackerSession.Peer peer = session.peer();
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
        whenDialedBack(() -> onMappedAt(session.peer().mappedAt(
                new InetSocketAddress(peer.address().getAddress(), m.port()))));
    }

    private void onMappedAt(TrackerSession.Peer at) {
        if (!connection.isOpen()) {
            return;
        }
        if (reachable && at.address().equals(session.peer().address())) {
            remap(at); // reached there already: through the router's mapping
            log.info("{} session {}: reachable at {} through its router's port mapping", connection.remoteAddress(),
                    at.sessionId(), at.address());
            return;
        }
        dialBack(at, reached -> {
            if (reached) {
                remap(at);
            }
            onDialedBack(session.peer(), reached || reachable);
        });
    }

    private void remap(TrackerSession.Peer at) {
        session.peer(at);
        session.onRegistryLoop(() -> tracker.registry().remap(at));
    }

    private void dialBack(TrackerSession.Peer p, Consumer<Boolean> onResult) {
        awaitingDialBack = new ArrayList<>(1);
        DialBack.start(connection.loop(), tracker.key(), p, onResult);
    }

    private void onDialedBack(TrackerSession.Peer p, boolean reached) {
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
        long id = p.sessionId();
        session.onRegistryLoop(() -> tracker.registry().reach(id, reached));
        log.info("{} session {}: {} at {}", connection.remoteAddress(), id,
                reached ? "reachable" : "not reachable (its NAT or firewall let no one in)", p.address());
    }
}
