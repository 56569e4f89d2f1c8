package p2pstream.peer.client;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.wire.Bitfield;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Wire;
import p2pstream.peer.schedule.Scheduler;

/**
 * A download's connection to one peer: the handshake (HELLO, MANIFEST, HAVE_ALL or BITFIELD), then the
 * peer's outstanding requests, what it holds and how fast it delivers. Protocol order is enforced here; the
 * decisions are the {@link DownloadSession}'s. Loop thread only.
 */
final class PeerSession implements ConnectionHandler {
    private static final Logger log = LoggerFactory.getLogger(PeerSession.class);
    static final long MIN_STALL_MILLIS = 3_000;
    /** From connecting to READY: a peer that takes longer is not worth waiting for while others may be. */
    static final long HANDSHAKE_TIMEOUT_MILLIS = 5_000;
    static final long PING_INTERVAL_MILLIS = 15_000;

    enum Phase { CONNECTING, AWAIT_HELLO, AWAIT_MANIFEST, AWAIT_HAVE, READY, CLOSED }

    final DownloadSession session;
    final InetSocketAddress address;
    final int slot;
    /** {@code ip:port}, as logs and stats show it. */
    final String name;
    /** Outstanding requests in the order sent: chunk index to the time it was asked (nanos). */
    final Map<Integer, Long> outstanding = new LinkedHashMap<>();
    /** Chunks cancelled at this peer that may still arrive. */
    final BitSet cancelled = new BitSet();
    Connection connection;
    Phase phase = Phase.CONNECTING;
    PeerId peerId;
    /** What the peer holds; null when it holds everything. */
    BitSet held;
    double bytesPerSecond;
    long bytesThisTick;
    boolean busyThisTick;
    /**
     * When a requested chunk (or a REJECT) last arrived, or when this peer began to owe chunks: the stall
     * clock. Other frames (PINGs, HAVEs) do not move it: a peer that sends them but no chunk is a tarpit.
     */
    private long lastDeliveryNanos;
    /** Bytes read of frames other than CHUNK: what is left of bytesRead is chunk bytes, whole or arriving. */
    private long controlBytes;
    /** Chunk bytes read at {@link #lastDeliveryNanos}, to tell a chunk that trickles in from one that comes. */
    private long chunkBytesMark;
    final long createdNanos;
    long lastSentNanos;

    PeerSession(DownloadSession session, InetSocketAddress address, int slot) {
        this.session = session;
        this.address = address;
        this.slot = slot;
        this.name = address.getAddress().getHostAddress() + ":" + address.getPort();
        this.createdNanos = session.nanoTime();
    }

    boolean isReady() {
        return phase == Phase.READY;
    }

    boolean holds(int index) {
        return held == null || held.get(index);
    }

    /** A REQUEST is about to go out: a peer that owed nothing starts its stall clock now. */
    void onAsking(long now) {
        if (outstanding.isEmpty()) {
            markDelivery(now);
        }
    }

    /** A chunk this peer was asked for arrived (or was refused): it is not stalled. */
    void markDelivery(long now) {
        lastDeliveryNanos = now;
        chunkBytesMark = chunkBytesRead();
    }

    private long chunkBytesRead() {
        return connection == null ? 0 : connection.bytesRead() - controlBytes;
    }

    /** True when the peer has not become READY within the handshake timeout. */
    boolean handshakeOverdue(long now) {
        return phase != Phase.READY && phase != Phase.CLOSED && now - createdNanos > HANDSHAKE_TIMEOUT_MILLIS * 1_000_000;
    }

    void send(IndexMessage m) {
        lastSentNanos = session.nanoTime();
        connection.send(m);
    }

    /**
     * Once per download tick: folds the bytes of the tick into the measured rate (only while chunks are owed:
     * an idle peer is not a slow one), drops a peer that stalls, and pings a quiet one to keep it. Stalled
     * means no requested chunk within the stall time, unless a quarter chunk of chunk bytes came meanwhile
     * (a slow peer's chunk on its way): PINGs, HAVEs or a chunk at a byte a second are no progress.
     */
    void onTick(long now, double tickSeconds, int chunkSize) {
        if (!outstanding.isEmpty()) {
            double sample = bytesThisTick / tickSeconds;
            bytesPerSecond = bytesPerSecond == 0 ? sample : 0.7 * bytesPerSecond + 0.3 * sample;
            long stallMillis = Scheduler.stallTimeoutMillis(bytesPerSecond, chunkSize, MIN_STALL_MILLIS);
            if (now - lastDeliveryNanos > stallMillis * 1_000_000) {
                long trickled = chunkBytesRead() - chunkBytesMark;
                if (trickled < chunkSize / 4) {
                    log.warn("{} stalled: no requested chunk for {} ms ({} chunk bytes) with {} chunks owed", this,
                            (now - lastDeliveryNanos) / 1_000_000, trickled, outstanding.size());
                    close("stalled: no requested chunk for " + (now - lastDeliveryNanos) / 1_000_000 + " ms");
                    return;
                }
                markDelivery(now); // slow but coming: measure the next stretch afresh
            }
        }
        bytesThisTick = 0;
        if (now - lastSentNanos > PING_INTERVAL_MILLIS * 1_000_000) {
            lastSentNanos = now;
            connection.send(EmptyMessage.PING);
        }
    }

    void close(String reason) {
        if (connection != null) {
            connection.close(reason);
        }
    }

    @Override
    public void onOpen(Connection c) {
        this.connection = c;
        phase = Phase.AWAIT_HELLO;
        lastSentNanos = session.nanoTime();
        // our listen port, so the peer can tell us apart from the ephemeral port this connection comes from
        c.send(new Hello(Role.CLIENT, session.peerId(), session.listenPort(), session.contentId()));
    }

    @Override
    public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
        MessageType t = MessageType.of(type);
        if (t != MessageType.CHUNK) {
            controlBytes += Frames.HEADER_BYTES + payload.remaining();
        }
        switch (phase) {
            case AWAIT_HELLO -> {
                t.expect(MessageType.HELLO);
                onHello(Hello.decode(payload));
            }
            case AWAIT_MANIFEST -> {
                t.expect(MessageType.MANIFEST);
                session.onManifest(this, ManifestMessage.decode(payload).encoded());
                if (phase != Phase.CLOSED) {
                    // the manifest was the one large frame: from now on nothing may exceed a chunk (or a bitfield)
                    connection.maxFrameBytes(Math.max(Wire.MAX_CONTROL_FRAME_BYTES, ChunkHeader.BYTES + session.manifest().chunkSize()));
                    phase = Phase.AWAIT_HAVE;
                }
            }
            case AWAIT_HAVE -> onAvailability(t, payload);
            case READY -> onReadyFrame(t, payload);
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t + " in phase " + phase);
        }
    }

    /**
     * Asked of a peer closed while awaiting HELLO: true when it answered, but not in this protocol: bytes came, and they were
     * neither a HELLO nor an ERROR (Connection reports an ERROR frame as "peer error ..."): an HTTP server,
     * say. Such an address is not worth another try.
     */
    boolean spokeAnotherProtocol(String reason) {
        return connection != null && connection.bytesRead() > 0
                && (reason == null || !reason.startsWith("peer error"));
    }

    @Override
    public void onClose(String reason) {
        Phase was = phase;
        phase = Phase.CLOSED;
        session.onPeerClosed(this, was, reason);
    }

    private void onHello(Hello hello) throws ProtocolException {
        hello.expectContent(session.contentId());
        peerId = hello.peerId();
        phase = Phase.AWAIT_MANIFEST;
    }

    private void onAvailability(MessageType t, ByteBuffer payload) throws ProtocolException {
        int count = session.chunkCount();
        if (t == MessageType.HAVE_ALL) {
            EmptyMessage.decode(t, payload);
            held = null;
        } else if (t == MessageType.BITFIELD) {
            held = Bitfield.decode(payload, count).chunks();
        } else {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t + " (expected: HAVE_ALL or BITFIELD)");
        }
        phase = Phase.READY;
        session.onPeerReady(this);
    }

    private void onReadyFrame(MessageType t, ByteBuffer payload) throws ProtocolException {
        switch (t) {
            case CHUNK -> {
                int index = ChunkHeader.decodeIndex(payload);
                int length = payload.remaining();
                bytesThisTick += length + ChunkHeader.BYTES;
                session.onChunk(this, index, payload);
            }
            case REJECT -> {
                Reject r = Reject.decode(payload);
                session.onReject(this, r.index(), r.reason());
            }
            case HAVE -> {
                int index = IndexMessage.decode(t, payload).index();
                if (index >= session.chunkCount()) {
                    throw new ProtocolException(ErrorCode.OUT_OF_RANGE, "have: " + index + " (expected: < " + session.chunkCount() + ")");
                }
                session.onHave(this, index);
            }
            case PING -> {
                EmptyMessage.decode(t, payload);
                connection.send(EmptyMessage.PONG);
            }
            case PONG -> EmptyMessage.decode(t, payload);
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t + " (expected: CHUNK, REJECT or HAVE)");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
