package p2pstream.tracker;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.Limits;
import p2pstream.common.net.Timeout;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;

/**
 * The tracker's test of whether others can dial a peer (PROTOCOL.md section 11): it connects to the address it
 * hands out for the peer, demands the peer's id in the handshake, says HELLO as the tracker, and takes the peer's
 * HELLO back as the proof; anything else within {@link #TIMEOUT_MILLIS} (a NAT dropping the SYN, another process
 * on that port) is "not reachable". Runs on the session's loop.
 */
final class DialBack implements ConnectionHandler {
    private static final Logger log = LoggerFactory.getLogger(DialBack.class);
    /** A home router drops the SYN without a word: this long without the peer's HELLO is its answer. */
    static final long TIMEOUT_MILLIS = 3_000;
    private static final Limits LIMITS = Limits.CONTROL.withIdleTimeoutMillis(TIMEOUT_MILLIS);

    private final TrackerSession.Peer peer;
    private final PeerId trackerId;
    private final Consumer<Boolean> onResult;
    private Connection connection;
    private Timeout timeout;
    private boolean reached;
    private boolean told;

    private DialBack(TrackerSession.Peer peer, PeerId trackerId, Consumer<Boolean> onResult) {
        this.peer = peer;
        this.trackerId = trackerId;
        this.onResult = onResult;
    }

    /** Dials {@code peer} from {@code loop}; {@code onResult} runs there once, with whether it answered. */
    static void start(EventLoop loop, StaticKey key, TrackerSession.Peer peer, Consumer<Boolean> onResult) {
        DialBack probe = new DialBack(peer, key.peerId(), onResult);
        probe.connection = loop.connect(peer.address(), probe, LIMITS, key, peer.peerId());
        probe.timeout = loop.schedule(TIMEOUT_MILLIS, () -> probe.connection.close("no answer within "
                + TIMEOUT_MILLIS + " ms"));
    }

    @Override
    public void onOpen(Connection c) {
        c.send(new Hello(Role.TRACKER, trackerId, 0, null));
    }

    @Override
    public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
        Hello hello = Hello.decodeFirst(MessageType.of(type), payload);
        hello.expectProvedBy(connection.remotePeerId());
        reached = true;
        connection.close("reachable");
    }

    @Override
    public void onClose(String reason) {
        timeout.cancel();
        if (!told) {
            told = true;
            log.debug("dial-back of session {} at {}: {}", peer.sessionId(), peer.address(), reason);
            onResult.accept(reached);
        }
    }
}
