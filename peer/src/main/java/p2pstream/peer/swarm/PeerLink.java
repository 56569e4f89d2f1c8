package p2pstream.peer.swarm;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.access.GrantMessage;
import p2pstream.common.access.GrantPace;
import p2pstream.common.net.Clock;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.Limits;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Wire;

/**
 * A viewer's connection to one peer it fetches from, up to where file and live links differ: our HELLO, the
 * peer's HELLO for the same content, its MANIFEST (after which no frame may exceed the stream's chunk), PING
 * answered, a PING when we have been quiet, and the handshake deadline. Subclasses take the frames from there on.
 * Loop thread only.
 */
public abstract class PeerLink implements ConnectionHandler {
    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);
    /** Peers send chunk frames (up to the largest chunk) and answer many requests a second. */
    public static final Limits LIMITS = Limits.CONTROL.withMaxFrameBytes(Wire.MAX_PEER_FRAME_BYTES)
            .withIdleTimeoutMillis(60_000).withMaxFramesPerSecond(100_000);

    /** A renewed grant goes to a peer at most this often: the pace peers take them at ({@link GrantPace}). */
    public static final long GRANT_INTERVAL_NANOS = GrantPace.INTERVAL_NANOS;

    /** Where a link is: CONNECTING until TCP connects, READY once the peer said what it holds. */
    public enum Phase { CONNECTING, AWAIT_HELLO, AWAIT_MANIFEST, AWAIT_HAVE, READY, CLOSED }

    /**
     * How the link's connection was made (PROTOCOL.md section 11): dialed; dialed at a port the holder's router
     * forwards (mapped); the holder connected to us at the tracker's word (reversed); both connected at once through
     * their NATs (punched); through a relay (relayed).
     */
    public enum Route {
        DIRECT, MAPPED, REVERSED, PUNCHED, RELAYED;

        /** As stats and logs show it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The address the peer serves on. */
    public final InetSocketAddress address;
    /** {@code ip:port}, as logs and stats show it. */
    public final String name;
    protected final Clock clock;
    private final Hello hello;
    private final Grant presented;
    private final long createdNanos;
    protected Connection connection;
    protected Phase phase = Phase.CONNECTING;
    /** On this host's LANs ({@link LocalNetworks}): asked before the others. */
    private boolean local;
    private PeerId peerId;
    private Route route = Route.DIRECT;
    /** Runs when a link waiting for the tracker's arrangement closes first: its claim or wait is withdrawn. */
    private Runnable onAbandoned;
    private Grant grant;
    /** The one GRANT a peer may hand us before its MANIFEST has come, taken or not. */
    private boolean grantCame;
    /**
     * The stream owner's id the user pinned ({@code --peer HOST:PORT#ID}): a GRANT that says it is another's is
     * dropped unread, before its signature is checked; null: every GRANT is checked, for the stream to decide.
     */
    private PeerId grantOwner;
    /** The owner's renewed grants: each costs a signature check, so past the pace one is refused unread. */
    private final GrantPace renewals = new GrantPace();
    /** The grant we showed this peer last (after our HELLO, or renewed since), or null: we show it none. */
    private Grant shown;
    private long shownNanos;
    private boolean server;
    private long lastSentNanos;

    /** @param hello what we say first: our id, the port we serve on, the content wanted */
    protected PeerLink(InetSocketAddress address, Hello hello, Clock clock) {
        this(address, hello, null, clock);
    }

    /**
     * @param hello     what we say first: our id, the port we serve on, the content wanted
     * @param presented the grant we show right after it for a private stream (the HELLO says one follows), or null
     */
    protected PeerLink(InetSocketAddress address, Hello hello, Grant presented, Clock clock) {
        if (hello.grantFollows() != (presented != null)) {
            throw new IllegalArgumentException("hello: grant follows " + hello.grantFollows() + " (expected: "
                    + (presented != null) + ", whether a grant is shown)");
        }
        this.address = address;
        this.name = address.getAddress().getHostAddress() + ":" + address.getPort();
        this.hello = hello;
        this.presented = presented;
        this.clock = clock;
        this.createdNanos = clock.nanoTime();
    }

    /** Whether the peer is on this host's LANs: its stream asks it before the others (local traffic first). */
    public final boolean isLocal() {
        return local;
    }

    final void local(boolean onLan) {
        this.local = onLan;
    }

    final void grantOwner(PeerId owner) {
        this.grantOwner = owner;
    }

    public final Phase phase() {
        return phase;
    }

    public final boolean isReady() {
        return phase == Phase.READY;
    }

    /** True when the peer said it is a server (a peer-server: seed or publisher); viewers say they are clients. */
    public final boolean isServer() {
        return server;
    }

    public final PeerId peerId() {
        return peerId;
    }

    public final Connection connection() {
        return connection;
    }

    /**
     * Connects this link on the loop, proving {@code key}'s identity; the peer must prove {@code expected} (the id
     * the tracker named; null: any).
     */
    public final void connect(EventLoop loop, StaticKey key, PeerId expected, Route route) {
        this.route = route;
        connect(loop, key, expected);
    }

    public final void connect(EventLoop loop, StaticKey key, PeerId expected) {
        connection = loop.connect(address, this, LIMITS, key, expected);
    }

    /**
     * Connects this link the way the tracker arranged it ({@code route}) to {@code to} (the holder, or a relay), as
     * {@code how} says; the holder must prove {@code expected}.
     */
    public final void connect(EventLoop loop, StaticKey key, PeerId expected, Route route, InetSocketAddress to,
                              EventLoop.Dialing how) {
        this.route = route;
        onAbandoned = null;
        connection = loop.connect(to, how, this, LIMITS, key, expected);
    }

    /**
     * This link waits for a connection the tracker arranges: made later by {@link #connect} or by the holder
     * (an accepted connection this link is the handler of, see {@link #arrived}); {@code onAbandoned} runs if the
     * link closes before.
     */
    public final void awaitArrangement(Runnable onAbandoned) {
        this.onAbandoned = onAbandoned;
    }

    /** The holder's connection is coming to our listener, claimed for this link; it arrives {@code route}. */
    public final void arriving(Route route, Runnable onAbandoned) {
        this.route = route;
        this.onAbandoned = onAbandoned;
    }

    public final Route route() {
        return route;
    }

    /** Sends {@code m}; the link is not quiet for a ping interval from now. */
    public final void send(Message m) {
        lastSentNanos = clock.nanoTime();
        connection.send(m);
    }

    public final void close(String reason) {
        if (connection != null) {
            connection.close(reason);
        } else if (phase != Phase.CLOSED) {
            onClose(reason); // still waiting for an arranged connection: nothing to close but the wait
        }
    }

    /** True when the peer has not become READY within {@code handshakeMillis} of the attempt to connect. */
    public final boolean handshakeOverdue(long now, long handshakeMillis) {
        return phase != Phase.READY && phase != Phase.CLOSED && now - createdNanos > handshakeMillis * 1_000_000;
    }

    /** PINGs the peer when we sent nothing for {@code intervalMillis}, so neither side takes the link for idle. */
    public final void pingIfQuiet(long now, long intervalMillis) {
        if (connection != null && now - lastSentNanos > intervalMillis * 1_000_000) {
            send(EmptyMessage.PING);
        }
    }

    /**
     * Asked of a link closed while awaiting HELLO: true when it answered, but not in this protocol: bytes came,
     * and they were neither a HELLO nor an ERROR (Connection reports an ERROR frame as "peer error ..."): an HTTP
     * server, say. Such an address is not worth another try.
     */
    public final boolean spokeAnotherProtocol(String reason) {
        boolean answered = connection != null && (connection.bytesRead() > 0
                || reason != null && reason.contains("handshake message")); // bytes that were no handshake message
        return answered && (reason == null || !reason.startsWith(ErrorCode.PEER_ERROR_REASON));
    }

    @Override
    public final void onOpen(Connection c) {
        this.connection = c;
        onAbandoned = null;
        phase = Phase.AWAIT_HELLO;
        // our listen port, so the peer can tell us apart from the ephemeral port this connection comes from
        send(hello);
        if (presented != null) {
            send(new GrantMessage(presented)); // a viewer re-serving a private stream lets in only grant holders
            shown = presented;
            // the peer's pace counts renewals only: the first may follow at once (the grant shown may be old)
            shownNanos = clock.nanoTime() - GRANT_INTERVAL_NANOS;
        }
        onOpened();
    }

    @Override
    public final void onFrame(int type, ByteBuffer payload) throws ProtocolException {
        MessageType t = MessageType.of(type);
        onAnyFrame(t, payload);
        switch (phase) {
            case AWAIT_HELLO -> {
                t.expect(MessageType.HELLO);
                Hello theirs = Hello.decode(payload);
                theirs.expectProvedBy(connection.remotePeerId());
                theirs.expectContent(hello.contentId());
                peerId = theirs.peerId();
                server = theirs.role() == Role.SERVER;
                phase = Phase.AWAIT_MANIFEST;
            }
            case AWAIT_MANIFEST -> {
                if (t == MessageType.GRANT && !grantCame) {
                    grantCame = true;
                    if (ofGrantOwner(payload)) {
                        grant = checkedGrant(GrantMessage.decode(payload).grant());
                        onGranted(grant);
                    }
                    return;
                }
                t.expect(MessageType.MANIFEST);
                int chunkFrameBytes = onManifest(ManifestMessage.decode(payload).encoded());
                if (phase != Phase.CLOSED) {
                    // the manifest was the one large frame: from now on nothing may exceed a chunk (or a bitfield)
                    connection.maxFrameBytes(Math.max(Wire.MAX_CONTROL_FRAME_BYTES, chunkFrameBytes));
                    onManifestAccepted();
                }
            }
            case AWAIT_HAVE, READY -> {
                if (t == MessageType.PING) {
                    EmptyMessage.decode(t, payload);
                    connection.send(EmptyMessage.PONG);
                } else if (t == MessageType.PONG) {
                    EmptyMessage.decode(t, payload);
                    onPong();
                } else if (t == MessageType.GRANT) {
                    onRenewedGrant(payload);
                } else {
                    onStreamFrame(t, payload);
                }
            }
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t + " in phase " + phase);
        }
    }

    @Override
    public final void onClose(String reason) {
        Phase was = phase;
        phase = Phase.CLOSED;
        if (onAbandoned != null) {
            Runnable r = onAbandoned;
            onAbandoned = null;
            r.run();
        }
        onClosed(was, reason);
    }

    /** Whether the GRANT in {@code payload} says it is the pinned owner's (read before anything else of it). */
    private boolean ofGrantOwner(ByteBuffer payload) throws ProtocolException {
        if (grantOwner == null) {
            return true;
        }
        PeerId claimed = Grant.claimedParties(payload).owner();
        if (!claimed.equals(grantOwner)) {
            log.info("{}: a GRANT claiming owner {} dropped unread (expected: the pinned owner, {})", name,
                    claimed.text(), grantOwner.text());
        }
        return claimed.equals(grantOwner);
    }

    /**
     * The grant a private stream's owner handed us, checked: it names us, the owner is the peer on this link (the
     * one the handshake proved), and it is for the stream we asked for.
     */
    private Grant checkedGrant(Grant g) throws ProtocolException {
        PeerId owner = connection.remotePeerId();
        String wrong = owner == null ? "grant: on a connection without an identity (expected: a secure one)"
                : g.check(hello.peerId(), owner, hello.contentId(), null, Long.MIN_VALUE);
        if (wrong != null && g.prefix() != null && owner != null && wrong.startsWith("grant scope")) {
            wrong = null; // a folder grant covers the stream by its name, which the manifest gives: taken as given
        }
        if (wrong != null) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION, wrong);
        }
        return g;
    }

    /**
     * The owner hands us a fresh grant mid-connection (a private live stream's renewal): paced before it is decoded,
     * checked as the first one, and it replaces it.
     */
    private void onRenewedGrant(ByteBuffer payload) throws ProtocolException {
        if (!renewals.take(clock.nanoTime())) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "grant: renewed more often than once a second"
                    + " (expected: " + GrantPace.BURST + " at once, then one a second at most)");
        }
        if (ofGrantOwner(payload)) {
            grant = checkedGrant(GrantMessage.decode(payload).grant());
            onGranted(grant);
        }
    }

    /**
     * Shows the peer our renewed grant {@code g} (a GRANT mid-connection), if this link showed it one before, is
     * past its manifest, and showed none for {@link #GRANT_INTERVAL_NANOS}; true when sent or when {@code g} is the
     * one shown already, false to try again later.
     */
    public final boolean show(Grant g) {
        if (shown == null || shown.equals(g) || g.owner().equals(peerId)) {
            return true; // the owner goes by its own access, not by what we show it
        }
        long now = clock.nanoTime();
        if ((phase != Phase.READY && phase != Phase.AWAIT_HAVE) || now - shownNanos < GRANT_INTERVAL_NANOS) {
            return false;
        }
        send(new GrantMessage(g));
        shown = g;
        shownNanos = now;
        return true;
    }

    /** The grant this link's peer handed us (a private stream's owner), or null. */
    public final Grant grant() {
        return grant;
    }

    /** The peer, a private stream's owner, let us in with {@code g} (checked): the stream is private. */
    protected void onGranted(Grant g) {
    }

    /** Right after our HELLO went out. */
    protected void onOpened() {
    }

    /** Every frame, before it is handled: for figures that count what arrives. */
    protected void onAnyFrame(MessageType t, ByteBuffer payload) {
    }

    /**
     * The peer's MANIFEST: check it against the content id (or the one verified before); returns the largest
     * chunk frame the stream can have, which becomes the link's frame limit.
     */
    protected abstract int onManifest(byte[] encoded) throws ProtocolException;

    /** The manifest was accepted: move on (a file link awaits what the peer holds, a live one is ready). */
    protected abstract void onManifestAccepted();

    /** A frame after the manifest other than PING and PONG. */
    protected abstract void onStreamFrame(MessageType t, ByteBuffer payload) throws ProtocolException;

    /** The answer to a PING of ours. */
    protected void onPong() {
    }

    /** The connection ended; {@code was} is the phase it was in. */
    protected abstract void onClosed(Phase was, String reason);

    @Override
    public String toString() {
        return name;
    }
}
