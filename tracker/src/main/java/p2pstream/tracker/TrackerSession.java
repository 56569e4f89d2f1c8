package p2pstream.tracker;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Welcome;
import p2pstream.common.wire.Withdraw;

/**
 * One peer's session with the tracker: HELLO first, then ANNOUNCE, WITHDRAW, LIST, LOOKUP and PING. Runs on
 * its connection's loop; registry work is sent to the registry loop and answers come back as tasks.
 */
final class TrackerSession implements ConnectionHandler {
    private static final Logger log = LoggerFactory.getLogger(TrackerSession.class);

    /** A registered peer as the registry sees it: the address it serves on is the one handed out. */
    record Peer(long sessionId, PeerId peerId, InetSocketAddress address) {
    }

    /**
     * LIST and LOOKUP answers are computed on the registry loop; past this many unanswered ones the session
     * stops reading, so a client that asks without reading holds its backlog in TCP, not in our heap.
     */
    static final int MAX_QUERIES_IN_FLIGHT = 8;
    /**
     * ANNOUNCE and WITHDRAW are applied on the registry loop; past this many not yet applied the session stops
     * reading, so a flood of them waits in TCP instead of in the registry loop's task queue (an ANNOUNCE holds
     * up to ~1 KiB of name).
     */
    static final int MAX_UPDATES_IN_FLIGHT = 32;

    private final Tracker tracker;
    private Connection connection;
    private Peer peer;
    private int queriesInFlight;
    private int updatesInFlight;

    TrackerSession(Tracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void onOpen(Connection c) {
        this.connection = c;
        log.debug("{} connected", c.remoteAddress());
        // an absolute deadline: a peer dribbling a byte a second is never idle, yet never says HELLO
        c.loop().schedule(Tracker.HELLO_TIMEOUT_MILLIS, () -> {
            if (peer == null) {
                c.fail(new ProtocolException(ErrorCode.TIMEOUT, "hello: none within " + Tracker.HELLO_TIMEOUT_MILLIS
                        + " ms (expected: HELLO first)"));
            }
        });
    }

    @Override
    public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
        MessageType t = MessageType.of(type);
        if (peer == null) {
            onHello(Hello.decodeFirst(t, payload));
            return;
        }
        switch (t) {
            case ANNOUNCE -> onAnnounce(Announce.decode(payload));
            case WITHDRAW -> {
                Withdraw w = Withdraw.decode(payload);
                long session = peer.sessionId();
                update(() -> tracker.registry().withdraw(session, w.contentId()));
            }
            case LIST -> {
                ListStreams l = ListStreams.decode(payload);
                answer(() -> tracker.registry().list(l.filter(), l.limit()));
            }
            case LOOKUP -> {
                Lookup l = Lookup.decode(payload);
                long session = peer.sessionId();
                answer(() -> tracker.registry().lookup(l.contentId(), l.name(), l.maxPeers(), session));
            }
            case PING -> {
                EmptyMessage.decode(t, payload);
                connection.send(EmptyMessage.PONG);
            }
            case PONG -> EmptyMessage.decode(t, payload);
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t
                    + " (expected: ANNOUNCE, WITHDRAW, LIST, LOOKUP or PING on a tracker session)");
        }
    }

    @Override
    public void onClose(String reason) {
        if (peer != null) {
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
        InetSocketAddress remote = connection.remoteAddress();
        peer = new Peer(tracker.nextSessionId(), hello.peerId(), new InetSocketAddress(remote.getAddress(), hello.listenPort()));
        connection.idleTimeoutMillis(tracker.sessionTimeoutMillis());
        connection.send(new Welcome(peer.sessionId(), peer.address()));
        log.info("{} session {} opened: {} peer {} serving on port {}", remote, peer.sessionId(), hello.role(),
                hello.peerId(), hello.listenPort());
    }

    private void onAnnounce(Announce a) throws ProtocolException {
        if (peer.address().getPort() == 0) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "announce: listen port 0 (expected: a peer that serves)");
        }
        Peer p = peer;
        Connection c = connection;
        update(() -> {
            String refused = tracker.registry().announce(p, a);
            if (refused != null) {
                // refuse this one announcement only: closing would drop the peer's other, good entries, and
                // anyone can announce a public content id first with a wrong name
                tracker.onRefused(c.remoteAddress(), p.sessionId(), refused);
            }
        });
    }

    /** Applies an ANNOUNCE or WITHDRAW on the registry loop, at most MAX_UPDATES_IN_FLIGHT at a time. */
    private void update(Runnable change) {
        if (onRegistryLoop()) {
            change.run();
            return;
        }
        EventLoop loop = connection.loop();
        if (++updatesInFlight == MAX_UPDATES_IN_FLIGHT) {
            connection.autoRead(false);
        }
        tracker.registryLoop().execute(() -> {
            change.run();
            loop.execute(() -> {
                updatesInFlight--;
                resumeIfBelowBounds();
            });
        });
    }

    /** Computes an answer on the registry loop and sends it from this connection's loop. */
    private void answer(java.util.function.Supplier<Message> query) {
        Connection c = connection;
        if (onRegistryLoop()) {
            c.send(query.get());
            return;
        }
        EventLoop loop = connection.loop();
        if (++queriesInFlight == MAX_QUERIES_IN_FLIGHT) {
            c.autoRead(false);
        }
        tracker.registryLoop().execute(() -> {
            Message m = query.get();
            loop.execute(() -> {
                c.send(m);
                queriesInFlight--;
                resumeIfBelowBounds();
            });
        });
    }

    private void resumeIfBelowBounds() {
        if (queriesInFlight < MAX_QUERIES_IN_FLIGHT && updatesInFlight < MAX_UPDATES_IN_FLIGHT) {
            connection.autoRead(true); // a no-op unless a bound had paused it
        }
    }

    /** True when this session's loop is the registry loop: registry work runs inline, in order, unqueued. */
    private boolean onRegistryLoop() {
        return connection.loop() == tracker.registryLoop();
    }

    private void onRegistryLoop(Runnable task) {
        if (onRegistryLoop()) {
            task.run();
        } else {
            tracker.registryLoop().execute(task);
        }
    }
}
