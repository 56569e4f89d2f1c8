package p2pstream.peer.server;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.access.GrantMessage;
import p2pstream.common.access.GrantPace;
import p2pstream.common.access.Redeem;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.Limits;
import p2pstream.common.wire.Bitfield;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.LiveEnd;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.Role;

/**
 * Serves one stream to one peer: answers HELLO with HELLO, MANIFEST and what it holds (HAVE_ALL, a BITFIELD,
 * or live HAVEs; then a HAVE for every chunk that arrives), then queues REQUESTs (bounded) and sends each
 * chunk as a small header plus its bytes (a zero-copy file region, or a live chunk in memory), only while the
 * connection is writable. Runs on its connection's loop thread; {@link #onHave} and {@link #onEnd} hop to it.
 */
public final class ServerSession implements ConnectionHandler, Holding.Subscriber {
    private static final Logger log = LoggerFactory.getLogger(ServerSession.class);
    /** Requests queued per connection; beyond it a REQUEST is answered with REJECT (overloaded). */
    static final int MAX_QUEUED_REQUESTS = 256;
    static final long SESSION_IDLE_MILLIS = 120_000;
    /** A live peer that has not asked for anything this long after subscribing is taken as past joining anyway. */
    static final long JOIN_GRACE_NANOS = 1_000_000_000L;
    /** We hand a reader a grant at most this often: the pace readers take them at ({@link GrantPace}). */
    static final long GRANT_PACE_NANOS = GrantPace.INTERVAL_NANOS;

    private final Catalog catalog;
    private final long idleMillis;
    private final RequestQueue queue = new RequestQueue(MAX_QUEUED_REQUESTS);
    private Connection connection;
    /** This connection is the tracker's dial-back (PROTOCOL.md section 11): what it is sent is no upload. */
    private boolean dialBack;
    private Holding stream;
    /** The content id the reader asked for, once served. */
    private ContentId served;
    /** A HELLO that said a GRANT follows, until that GRANT arrives; else null. */
    private Hello granting;
    /** The grant the reader showed last (after its HELLO, or a renewal since), or null: checked again on recheck. */
    private Grant presented;
    /** Renewed grants the reader shows: each costs a signature check, so past the pace one is refused unread. */
    private final GrantPace presentedPace = new GrantPace();
    /** When we last handed the reader a renewed grant (loop nanos): a second apart, the pace readers take them at. */
    private long grantSentNanos;
    private boolean renewed;
    /** A HELLO without a content id said a REDEEM follows (PROTOCOL.md section 10), until it arrives. */
    private boolean redeeming;
    private String peerName;
    private long chunksSent;
    /** Read by a publisher's thread choosing whom to tell of a new chunk first. */
    private volatile boolean asked;
    /** Set before the session subscribes, so a holding never reads it unset. */
    private volatile long subscribedNanos;

    public ServerSession(Catalog catalog) {
        this(catalog, SESSION_IDLE_MILLIS);
    }

    /** With its own deadline for silence after HELLO (the deadline for HELLO is its connection's {@link Limits}). */
    public ServerSession(Catalog catalog, long idleMillis) {
        this.catalog = catalog;
        this.idleMillis = idleMillis;
    }

    /**
     * Serving connections: pending bytes are mostly file regions, so the watermarks can be generous; HELLO is due
     * within {@link PeerServer#HELLO_TIMEOUT_MILLIS}.
     */
    public static final Limits LIMITS = PeerServer.LIMITS;

    /** True once the connection has closed. */
    public boolean isClosed() {
        return connection != null && connection.state() == Connection.State.CLOSED;
    }

    /**
     * The served peer as {@code ip:port} of where it serves in turn (its HELLO's listen port), or null before HELLO.
     */
    public String peerName() {
        return peerName;
    }

    /** Stops serving this peer at once. Its loop thread only. */
    public void close(String reason) {
        if (connection != null) {
            connection.close(reason);
        }
    }

    /** Bytes written to this peer so far; none for the answer to the tracker's dial-back, which serves nobody. */
    public long bytesSent() {
        return connection == null || dialBack ? 0 : connection.bytesWritten();
    }

    @Override
    public void onOpen(Connection c) {
        this.connection = c;
    }

    @Override
    public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
        MessageType t = MessageType.of(type);
        if (stream == null && granting != null) {
            t.expect(MessageType.GRANT);
            Hello hello = granting;
            granting = null;
            accept(hello, catalog.holding(hello.contentId()), GrantMessage.decode(payload).grant());
            return;
        }
        if (stream == null && redeeming) {
            t.expect(MessageType.REDEEM);
            Redeem redeem = Redeem.decode(payload); // validated before the session moves on: a bad one changes nothing
            redeeming = false; // the redeemer's last frame: what follows it is UNEXPECTED, as a second HELLO
            connection.helloAccepted();
            connection.idleTimeoutMillis(idleMillis);
            catalog.redemptions().onRedeem(connection, redeem);
            return;
        }
        if (stream == null) {
            onHello(Hello.decodeFirst(t, payload));
            return;
        }
        switch (t) {
            case REQUEST -> onRequest(checkIndex(IndexMessage.decode(t, payload).index()));
            case CANCEL -> {
                int index = checkIndex(IndexMessage.decode(t, payload).index());
                if (queue.remove(index)) {
                    stream.onUnasked(index);
                }
            }
            case PING -> {
                EmptyMessage.decode(t, payload);
                connection.send(EmptyMessage.PONG);
            }
            // what the asker holds matters only to a peer that downloads from it
            case HAVE -> checkIndex(IndexMessage.decode(t, payload).index());
            case PONG -> EmptyMessage.decode(t, payload);
            case GRANT -> onGrantShown(payload);
            case HAVE_ALL -> EmptyMessage.decode(t, notLive(t, payload));
            case BITFIELD -> Bitfield.decode(notLive(t, payload), stream.indexLimit());
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t
                    + " (expected: REQUEST, CANCEL or PING)");
        }
    }

    /**
     * A reader shows a renewed grant mid-connection (PROTOCOL.md section 10): paced before it is decoded (a signature
     * check each), then checked as the one after HELLO was, and it replaces that one; refused, the session ends.
     */
    private void onGrantShown(ByteBuffer payload) throws ProtocolException {
        if (!presentedPace.take(connection.loop().nanoTime())) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "grant: shown more often than once a second"
                    + " (expected: " + GrantPace.BURST + " at once, then one a second at most)");
        }
        Grant g = GrantMessage.decode(payload).grant();
        String refused = catalog.refusal(connection.remotePeerId(), connection.isEncrypted(), served, g,
                connection.loop().clock().epochMicros() / 1000);
        if (refused != null) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, refused);
        }
        presented = g;
    }

    /**
     * Hands the reader a fresh grant for what it is served, if the catalog signs one for it (a private live stream's
     * renewal, PROTOCOL.md section 10). Any thread: runs on the connection's loop.
     */
    public void renewGrant() {
        connection.loop().execute(() -> {
            if (stream == null || !connection.isOpen()) {
                return;
            }
            long now = connection.loop().nanoTime();
            if (renewed && now - grantSentNanos < GRANT_PACE_NANOS) {
                return; // handed one within the second: it is valid two periods, the next renewal comes in time
            }
            Grant g = catalog.grantFor(connection.remotePeerId(), served);
            if (g != null) {
                grantSentNanos = now;
                renewed = true;
                connection.send(new GrantMessage(g));
            }
        });
    }

    /** The content id served, or null before HELLO was accepted. Its loop thread. */
    public ContentId served() {
        return served;
    }

    @Override
    public void onWritable() {
        pump();
    }

    @Override
    public void onHave(int index, long delayMillis) {
        EventLoop loop = connection.loop();
        if (delayMillis > 0) {
            loop.execute(() -> loop.schedule(delayMillis, () -> reveal(index)));
        } else if (loop.inEventLoop()) {
            have(index);
        } else {
            loop.execute(() -> have(index));
        }
    }

    @Override
    public void onEnd(LiveEnd end) {
        connection.loop().execute(() -> {
            if (connection.isOpen()) {
                connection.send(end);
            }
        });
    }

    @Override
    public boolean isJoined() {
        return asked || connection.loop().nanoTime() - subscribedNanos > JOIN_GRACE_NANOS;
    }

    /** A delayed HAVE falls due: the holding may hold it back longer (its first copy has not left yet). */
    private void reveal(int index) {
        if (!connection.isOpen()) {
            return;
        }
        long waitNanos = stream.revealWaitNanos(index);
        if (waitNanos > 0) {
            connection.loop().schedule((waitNanos + 999_999) / 1_000_000, () -> reveal(index));
        } else {
            have(index);
        }
    }

    private void have(int index) {
        if (connection.isOpen()) {
            connection.send(IndexMessage.have(index));
        }
    }

    /**
     * Asks the catalog again whether the reader may still read what it is served (who may read changed), and ends
     * the session with ERROR FORBIDDEN when it may not. Any thread: runs on the connection's loop.
     */
    public void recheck() {
        connection.loop().execute(() -> {
            if (stream == null || !connection.isOpen()) {
                return;
            }
            String refused = catalog.refusal(connection.remotePeerId(), connection.isEncrypted(), served, presented,
                    connection.loop().clock().epochMicros() / 1000);
            if (refused != null) {
                connection.fail(new ProtocolException(ErrorCode.FORBIDDEN, refused));
            }
        });
    }

    @Override
    public void onClose(String reason) {
        catalog.onReading(this, false); // also when it was registered and then refused (or failed) before serving
        if (stream != null) {
            catalog.onServingEnded(stream);
            stream.unsubscribe(this);
            while (!queue.isEmpty()) {
                // a publisher must not hold a chunk back for a request that left with us
                stream.onUnasked(queue.poll());
            }
            log.info("{} done with {}: {} chunks sent, {} bytes ({})", connection.remoteAddress(),
                    stream.name(), chunksSent, connection.bytesWritten(), reason);
        }
    }

    private void onHello(Hello hello) throws ProtocolException {
        if (hello.role() == Role.TRACKER && hello.contentId() == null) {
            // the tracker's dial-back (PROTOCOL.md section 11): our HELLO proves the address reaches us
            hello.expectProvedBy(connection.remotePeerId());
            dialBack = true;
            connection.send(new Hello(catalog.role(), catalog.peerId(), catalog.listenPort(), null));
            connection.closeAfterFlush("dial-back answered");
            return;
        }
        if (hello.contentId() == null && hello.role() == Role.CLIENT && catalog.redemptions() != null) {
            hello.expectProvedBy(connection.remotePeerId());
            redeeming = true; // its REDEEM is the next frame, before the HELLO deadline
            return;
        }
        if (hello.contentId() == null) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "hello: no content id (expected: the stream wanted)");
        }
        hello.expectProvedBy(connection.remotePeerId());
        Holding s = catalog.holding(hello.contentId());
        if (s == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "content id: " + hello.contentId().shortHex()
                    + " (expected: a stream this peer serves)");
        }
        if (hello.grantFollows()) {
            granting = hello; // its GRANT is the next frame, before the HELLO deadline
        } else {
            accept(hello, s, null);
        }
    }

    /** Serves {@code s} to the peer that said {@code hello}, unless the catalog refuses it (and the grant shown). */
    private void accept(Hello hello, Holding s, Grant granted) throws ProtocolException {
        if (s == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "content id: " + hello.contentId().shortHex()
                    + " (expected: a stream this peer serves)");
        }
        // registered before the check: an access change on another loop either comes after the check and is seen
        // by it, or finds this session and has it check again (its recheck runs on this loop, after this)
        catalog.onReading(this, true);
        String refused = catalog.refusal(connection.remotePeerId(), connection.isEncrypted(), hello.contentId(),
                granted, connection.loop().clock().epochMicros() / 1000);
        if (refused != null) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, refused);
        }
        stream = s;
        served = hello.contentId();
        presented = granted;
        catalog.onServing(s);
        connection.helloAccepted();
        InetSocketAddress remote = connection.remoteAddress();
        peerName = remote.getAddress().getHostAddress() + ":"
                + (hello.listenPort() != 0 ? hello.listenPort() : remote.getPort());
        connection.idleTimeoutMillis(idleMillis);
        connection.send(new Hello(catalog.role(), catalog.peerId(), catalog.listenPort(), hello.contentId()));
        Grant grant = catalog.grantFor(connection.remotePeerId(), hello.contentId());
        if (grant != null) {
            connection.send(new GrantMessage(grant)); // not a renewal: the reader's pace counts those only
        }
        connection.send(s.manifestMessage());
        subscribedNanos = connection.loop().nanoTime();
        s.sendAvailability(connection, this);
        if (hello.listenPort() != 0) {
            catalog.onServingPeer(hello.contentId(), new InetSocketAddress(remote.getAddress(), hello.listenPort()));
        }
        log.debug("{} wants {} ({} peer {})", connection.remoteAddress(), s.name(), hello.role(), hello.peerId());
    }

    /** A live stream's indexes have no end: a bitfield or "all" cannot describe them. */
    private ByteBuffer notLive(MessageType t, ByteBuffer payload) throws ProtocolException {
        if (stream instanceof LiveHolding) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t + " on a live stream (expected: HAVE)");
        }
        return payload;
    }

    private int checkIndex(int index) throws ProtocolException {
        int count = stream.indexLimit();
        if (index >= count) {
            throw new ProtocolException(ErrorCode.OUT_OF_RANGE, "chunk index: " + index + " (expected: < "
                    + count + ")");
        }
        return index;
    }

    private void onRequest(int index) {
        if (!stream.holds(index)) {
            reject(index, Reject.Reason.NOT_HELD);
            return;
        }
        // one scan of the queue: a request already queued is ignored
        if (!queue.contains(index)) {
            if (!queue.offer(index)) {
                reject(index, Reject.Reason.OVERLOADED);
                return;
            }
            stream.onAsked(index);
        }
        asked = true;
        pump();
    }

    private void pump() {
        long ahead = stream.sendAheadBytes();
        while (connection.isOpen() && connection.isWritable() && connection.pendingBytes() < ahead
                && !queue.isEmpty()) {
            send(queue.poll());
        }
        if (!queue.isEmpty() && connection.isWritable()) {
            connection.onDrainedBelow(ahead);
        }
    }

    private void send(int index) {
        long bytes = stream.sendChunk(connection, index);
        if (bytes < 0) {
            reject(index, bytes == Holding.OVERLOADED ? Reject.Reason.OVERLOADED : Reject.Reason.UNAVAILABLE);
            return;
        }
        chunksSent++;
        catalog.onChunkSent(stream, bytes);
    }

    private void reject(int index, Reject.Reason reason) {
        connection.send(new Reject(index, reason));
        catalog.onRejected(reason);
    }
}
