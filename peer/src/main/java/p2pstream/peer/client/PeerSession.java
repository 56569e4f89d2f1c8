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
    long lastByteNanos;
    private long bytesReadAtTick;
    long lastSentNanos;

    PeerSession(DownloadSession session, InetSocketAddress address, int slot) {
        this.session = session;
        this.address = address;
        this.slot = slot;
        this.name = address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    boolean isReady() {
        return phase == Phase.READY;
    }

    boolean holds(int index) {
        return held == null || held.get(index);
    }

    void send(IndexMessage m) {
        lastSentNanos = session.nanoTime();
        connection.send(m);
    }

    /**
     * Once per download tick: folds the bytes of the tick into the measured rate (only while chunks are owed:
     * an idle peer is not a slow one), drops a peer that stalls, and pings a quiet one to keep it.
     */
    void onTick(long now, double tickSeconds, int chunkSize) {
        long read = connection.bytesRead();
        if (read != bytesReadAtTick) {
            lastByteNanos = now; // a slow chunk still trickling in is progress, not a stall
            bytesReadAtTick = read;
        }
        if (!outstanding.isEmpty()) {
            double sample = bytesThisTick / tickSeconds;
            bytesPerSecond = bytesPerSecond == 0 ? sample : 0.7 * bytesPerSecond + 0.3 * sample;
            long stallMillis = Scheduler.stallTimeoutMillis(bytesPerSecond, chunkSize, MIN_STALL_MILLIS);
            if (now - lastByteNanos > stallMillis * 1_000_000) {
                log.warn("{} stalled: nothing for {} ms with {} chunks owed", this, (now - lastByteNanos) / 1_000_000,
                        outstanding.size());
                close("stalled");
                return;
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
        lastByteNanos = session.nanoTime();
        lastSentNanos = lastByteNanos;
        // our listen port, so the peer can tell us apart from the ephemeral port this connection comes from
        c.send(new Hello(Role.CLIENT, session.peerId(), session.listenPort(), session.contentId()));
    }

    @Override
    public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
        MessageType t = MessageType.of(type);
        lastByteNanos = session.nanoTime();
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
