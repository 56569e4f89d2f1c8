package p2pstream.peer.client.file;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.net.Clock;
import p2pstream.common.wire.Bitfield;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reject;
import p2pstream.peer.schedule.Scheduler;
import p2pstream.peer.swarm.PeerLink;

/**
 * A file stream's link to one peer: after the handshake, HAVE_ALL or BITFIELD, then the peer's outstanding
 * requests, what it holds and how fast it delivers. Protocol order is enforced here; the decisions are its
 * {@link Owner}'s: the resolution that waits for the first manifest, then the {@link FileStream}. Loop thread only.
 */
public final class FilePeer extends PeerLink implements Requester.Link {
    private static final Logger log = LoggerFactory.getLogger(FilePeer.class);

    /** Who decides what a link's frames mean: the resolution until the manifest is verified, then the stream. */
    public interface Owner {
        /** The peer's manifest; returns the largest chunk frame of the stream. */
        int onManifest(FilePeer peer, byte[] encoded) throws ProtocolException;

        /** Chunks in the stream: HAVE and BITFIELD are checked against it. */
        int chunkCount();

        void onPeerReady(FilePeer peer);

        void onHave(FilePeer peer, int index);

        void onChunk(FilePeer peer, int index, ByteBuffer payload) throws ProtocolException;

        /**
         * A buffer of at least {@code payloadBytes} for a CHUNK payload (index and bytes) to be read into straight
         * from the socket, or null to have it gathered in the connection's read buffer and copied.
         */
        default ByteBuffer chunkBuffer(int payloadBytes) {
            return null;
        }

        /** Takes back a buffer from {@link #chunkBuffer} that holds no chunk to keep. */
        default void recycle(ByteBuffer buffer) {
        }

        /**
         * A chunk whose payload was read into a buffer from {@link #chunkBuffer}, which is now the owner's (to keep
         * or to recycle); by default handled like any other, then recycled.
         */
        default void onPooledChunk(FilePeer peer, int index, ByteBuffer payload) throws ProtocolException {
            try {
                onChunk(peer, index, payload);
            } finally {
                recycle(payload);
            }
        }

        void onReject(FilePeer peer, int index, Reject.Reason reason) throws ProtocolException;

        void onPeerClosed(FilePeer peer, Phase was, String reason);

        /** The peer, the stream's owner, let us in with {@code g}: the stream is private, never served on. */
        default void onGranted(FilePeer peer, Grant g) {
        }
    }

    /** A number of its own, for the scheduler's duplicate decisions. */
    final int slot;
    /** Outstanding requests in the order sent: chunk index to the time it was asked (nanos). */
    final Map<Integer, Long> outstanding = new LinkedHashMap<>();
    /** Chunks cancelled at this peer that may still arrive. */
    final BitSet cancelled = new BitSet();
    /** What the peer holds; null when it holds everything. */
    BitSet held;
    double bytesPerSecond;
    long bytesThisTick;
    private Owner owner;
    /**
     * When a requested chunk (or a REJECT) last arrived, or when this peer began to owe chunks: the stall
     * clock. Other frames (PINGs, HAVEs) do not move it: a peer that sends them but no chunk is a tarpit.
     */
    private long lastDeliveryNanos;
    /** Bytes read of frames other than CHUNK: what is left of bytesRead is chunk bytes, whole or arriving. */
    private long controlBytes;
    /** Chunk bytes read at {@link #lastDeliveryNanos}, to tell a chunk that trickles in from one that comes. */
    private long chunkBytesMark;
    /** The owner's buffer a CHUNK payload is being read into, until it has arrived; else null. */
    private ByteBuffer receiving;

    public FilePeer(InetSocketAddress address, Hello hello, Clock clock, int slot, Owner owner) {
        this(address, hello, null, clock, slot, owner);
    }

    /** Showing {@code presented} (a grant for the private stream, or null) right after its HELLO. */
    public FilePeer(InetSocketAddress address, Hello hello, Grant presented, Clock clock, int slot, Owner owner) {
        super(address, hello, presented, clock);
        this.slot = slot;
        this.owner = owner;
    }

    /** From now on {@code o} decides (the stream that took over from the resolution). */
    void owner(Owner o) {
        this.owner = o;
    }

    @Override
    public BitSet held() {
        return held;
    }

    @Override
    public int slot() {
        return slot;
    }

    @Override
    public double bytesPerSecond() {
        return bytesPerSecond;
    }

    @Override
    public Map<Integer, Long> outstanding() {
        return outstanding;
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

    @Override
    public void request(int index, long now) {
        onAsking(now);
        outstanding.put(index, now);
        cancelled.clear(index);
        send(IndexMessage.request(index));
    }

    @Override
    public void cancel(int index) {
        cancelled.set(index);
        send(IndexMessage.cancel(index));
    }

    /**
     * Once per stream tick: folds the bytes of the tick into the measured rate (only while chunks are owed:
     * an idle peer is not a slow one), and drops a peer that stalls. Stalled means no requested chunk within the
     * stall time, unless a quarter chunk of chunk bytes came meanwhile (a slow peer's chunk on its way): PINGs,
     * HAVEs or a chunk at a byte a second are no progress.
     */
    void onTick(long now, double tickSeconds, int chunkSize, long minStallMillis) {
        if (!outstanding.isEmpty()) {
            double sample = bytesThisTick / tickSeconds;
            bytesPerSecond = bytesPerSecond == 0 ? sample : 0.7 * bytesPerSecond + 0.3 * sample;
            long stallMillis = Scheduler.stallTimeoutMillis(bytesPerSecond, chunkSize, minStallMillis);
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
    }

    /** A CHUNK's payload goes straight into one of the owner's chunk buffers, once the link is ready. */
    @Override
    public ByteBuffer payloadBuffer(int type, int payloadBytes) {
        if (phase != Phase.READY || type != MessageType.CHUNK.code()) {
            return null;
        }
        receiving = owner.chunkBuffer(payloadBytes);
        return receiving;
    }

    @Override
    protected void onAnyFrame(MessageType t, ByteBuffer payload) {
        if (t != MessageType.CHUNK) {
            controlBytes += Frames.HEADER_BYTES + payload.remaining();
        }
    }

    @Override
    protected int onManifest(byte[] encoded) throws ProtocolException {
        return owner.onManifest(this, encoded);
    }

    @Override
    protected void onGranted(Grant g) {
        owner.onGranted(this, g);
    }

    @Override
    protected void onManifestAccepted() {
        phase = Phase.AWAIT_HAVE;
    }

    @Override
    protected void onStreamFrame(MessageType t, ByteBuffer payload) throws ProtocolException {
        if (phase == Phase.AWAIT_HAVE) {
            onAvailability(t, payload);
            return;
        }
        switch (t) {
            case CHUNK -> onChunk(payload);
            case REJECT -> {
                Reject r = Reject.decode(payload);
                owner.onReject(this, r.index(), r.reason());
            }
            case HAVE -> {
                int index = IndexMessage.decode(t, payload).index();
                if (index >= owner.chunkCount()) {
                    throw new ProtocolException(ErrorCode.OUT_OF_RANGE, "have: " + index + " (expected: < "
                            + owner.chunkCount() + ")");
                }
                owner.onHave(this, index);
            }
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t
                    + " (expected: CHUNK, REJECT or HAVE)");
        }
    }

    private void onChunk(ByteBuffer payload) throws ProtocolException {
        boolean pooled = payload == receiving;
        receiving = null;
        int index;
        try {
            index = ChunkHeader.decodeIndex(payload);
        } catch (ProtocolException e) {
            if (pooled) {
                owner.recycle(payload);
            }
            throw e;
        }
        bytesThisTick += payload.remaining() + ChunkHeader.BYTES;
        if (pooled) {
            owner.onPooledChunk(this, index, payload);
        } else {
            owner.onChunk(this, index, payload);
        }
    }

    private void onAvailability(MessageType t, ByteBuffer payload) throws ProtocolException {
        if (t == MessageType.HAVE_ALL) {
            EmptyMessage.decode(t, payload);
            held = null;
        } else if (t == MessageType.BITFIELD) {
            held = Bitfield.decode(payload, owner.chunkCount()).chunks();
        } else {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t + " (expected: HAVE_ALL or BITFIELD)");
        }
        phase = Phase.READY;
        owner.onPeerReady(this);
    }

    @Override
    protected void onClosed(Phase was, String reason) {
        if (receiving != null) {
            owner.recycle(receiving); // a payload cut off by the close
            receiving = null;
        }
        owner.onPeerClosed(this, was, reason);
    }
}
