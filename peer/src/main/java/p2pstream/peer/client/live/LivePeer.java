package p2pstream.peer.client.live;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import p2pstream.common.access.Grant;
import p2pstream.common.net.Clock;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reject;
import p2pstream.peer.schedule.LiveRequests;
import p2pstream.peer.schedule.RecentSet;
import p2pstream.peer.swarm.PeerLink;

/**
 * A live stream's link to one peer (the publisher or another viewer): after the handshake, the peer's HAVEs,
 * LIVE_CHUNKs, REJECTs and the signed end; a PING right behind our HELLO, whose answer marks the end of the
 * peer's first burst of HAVEs. Protocol order is enforced here; the decisions are its {@link Owner}'s: the opening
 * that waits for the manifest, then the {@link LiveStream}. Loop thread only.
 */
public final class LivePeer extends PeerLink implements LiveRequests.Peer {
    /** Live indexes remembered per peer: far more than a window, a fixed 128 bytes whatever a peer claims. */
    static final int HELD_MEMORY = 1024;
    static final int MAX_LAPSED = 4;

    /** Who decides what a link's frames mean. */
    public interface Owner {
        /** The peer's live manifest; returns the largest chunk frame of the stream. */
        int onManifest(LivePeer peer, byte[] encoded) throws ProtocolException;

        void onPeerReady(LivePeer peer);

        /** Every chunk the peer held when it answered our HELLO has been announced. */
        void onAnnounced(LivePeer peer);

        /** An announced index worth remembering (a peer announcing far ahead is lying or on another clock). */
        boolean isPlausible(int index);

        void onHave(LivePeer peer, int index);

        void onChunk(LivePeer peer, LiveChunkHeader header, ByteBuffer payload) throws ProtocolException;

        void onReject(LivePeer peer, int index) throws ProtocolException;

        void onEnd(LivePeer peer, LiveEnd end);

        /** {@code peer} left a request unanswered too long: ask another holder. */
        void onLapsed(LivePeer peer, int index);

        void onPeerClosed(LivePeer peer, Phase was, String reason);

        /** The peer, the stream's owner, handed us {@code g} (checked: it names us, signed by that peer). */
        void onGranted(LivePeer peer, Grant g);
    }

    final RecentSet held = new RecentSet(HELD_MEMORY);
    /** Outstanding requests in the order sent: chunk index to the time it was asked (nanos). */
    final Map<Integer, Long> outstanding = new LinkedHashMap<>();
    /** Requests cancelled here whose chunk may still cross our CANCEL on the wire. */
    final RecentSet cancelled = new RecentSet(HELD_MEMORY);
    /** Requests given up in a row since the last chunk this peer delivered. */
    int lapsed;
    private Owner owner;
    /**
     * True once the answer to the PING sent behind our HELLO arrived: a server queues its HAVEs for the whole
     * window when it answers HELLO, so everything it held then has been heard, and its newest is a true live edge.
     */
    private boolean announced;
    private long lastByteNanos;
    private long bytesReadAtTick;

    /** Showing {@code presented} (our grant for a private stream, or null) right after its HELLO. */
    public LivePeer(InetSocketAddress address, Hello hello, Grant presented, Clock clock, Owner owner) {
        super(address, hello, presented, clock);
        this.owner = owner;
        this.lastByteNanos = clock.nanoTime();
    }

    void owner(Owner o) {
        this.owner = o;
    }

    /** Ready, and every chunk it held when it answered our HELLO has been announced to us. */
    boolean isAnnounced() {
        return phase == Phase.READY && announced;
    }

    // ---- as the request policy sees it ----

    @Override
    public boolean holds(int index) {
        return held.contains(index);
    }

    @Override
    public boolean isPublisher() {
        return isServer();
    }

    @Override
    public int outstandingCount() {
        return outstanding.size();
    }

    @Override
    public long askedAt(int index) {
        Long at = outstanding.get(index);
        return at == null ? -1 : at;
    }

    @Override
    public void request(int index, long now) {
        outstanding.put(index, now);
        send(IndexMessage.request(index));
    }

    @Override
    public void cancel(int index) {
        if (outstanding.remove(index) != null) {
            cancelled.add(index);
            send(IndexMessage.cancel(index));
        }
    }

    /**
     * Once per tick: drops a peer that owes chunks and sends nothing; gives up a request unanswered for the
     * stall time (pings and HAVEs are bytes too), taking the chunk as not held here, and drops a peer that lets
     * several lapse in a row.
     */
    void onTick(long now, long stallMillis) {
        long read = connection.bytesRead();
        if (read != bytesReadAtTick) {
            lastByteNanos = now;
            bytesReadAtTick = read;
        }
        if (!outstanding.isEmpty() && now - lastByteNanos > stallMillis * 1_000_000) {
            close("stalled: nothing for " + (now - lastByteNanos) / 1_000_000 + " ms with " + outstanding.size()
                    + " chunks owed");
            return;
        }
        for (Iterator<Map.Entry<Integer, Long>> it = outstanding.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Long> e = it.next();
            if (now - e.getValue() <= stallMillis * 1_000_000) {
                break; // in the order asked: the rest are younger
            }
            int index = e.getKey();
            it.remove();
            cancelled.add(index);
            held.remove(index);
            send(IndexMessage.cancel(index));
            owner.onLapsed(this, index);
            if (++lapsed >= MAX_LAPSED) {
                close("stalled: " + lapsed + " requests unanswered for " + stallMillis + " ms each");
                return;
            }
        }
    }

    @Override
    protected void onOpened() {
        // its PONG comes behind the HAVEs the HELLO makes it send: the mark that its first announcements are complete
        send(EmptyMessage.PING);
    }

    @Override
    protected void onAnyFrame(MessageType t, ByteBuffer payload) {
        lastByteNanos = clock.nanoTime();
    }

    @Override
    protected int onManifest(byte[] encoded) throws ProtocolException {
        return owner.onManifest(this, encoded);
    }

    @Override
    protected void onManifestAccepted() {
        phase = Phase.READY;
        owner.onPeerReady(this);
    }

    @Override
    protected void onStreamFrame(MessageType t, ByteBuffer payload) throws ProtocolException {
        switch (t) {
            case HAVE -> {
                int index = IndexMessage.decode(t, payload).index();
                if (owner.isPlausible(index)) {
                    held.add(index);
                    owner.onHave(this, index);
                }
            }
            case LIVE_CHUNK -> owner.onChunk(this, LiveChunkHeader.decode(payload), payload);
            case REJECT -> owner.onReject(this, Reject.decode(payload).index());
            case LIVE_END -> owner.onEnd(this, LiveEnd.decode(payload));
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED,
                    "message: " + t + " (expected: HAVE, LIVE_CHUNK, REJECT or LIVE_END on a live stream)");
        }
    }

    @Override
    protected void onPong() {
        if (!announced) {
            announced = true;
            owner.onAnnounced(this);
        }
    }

    @Override
    protected void onGranted(Grant g) {
        owner.onGranted(this, g);
    }

    @Override
    protected void onClosed(Phase was, String reason) {
        owner.onPeerClosed(this, was, reason);
    }
}
