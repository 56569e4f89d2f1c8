package p2pstream.peer.client;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Wire;
import p2pstream.peer.schedule.RecentSet;

/**
 * A live viewer's connection to one peer (the publisher or another viewer): the handshake (HELLO, MANIFEST),
 * then the peer's HAVEs, LIVE_CHUNKs, REJECTs and the signed end. Protocol order is enforced here; the
 * decisions are the {@link LiveSession}'s. Loop thread only.
 */
final class LivePeer implements ConnectionHandler {
    /** Live indexes remembered per peer: far more than a window, a fixed 128 bytes whatever a peer claims. */
    static final int HELD_MEMORY = 1024;
    static final long PING_INTERVAL_MILLIS = 15_000;
    static final int MAX_LAPSED = 4;

    enum Phase { CONNECTING, AWAIT_HELLO, AWAIT_MANIFEST, READY, CLOSED }

    final LiveSession session;
    final InetSocketAddress address;
    /** {@code ip:port}, as logs and stats show it. */
    final String name;
    final RecentSet held = new RecentSet(HELD_MEMORY);
    /** Outstanding requests in the order sent: chunk index to the time it was asked (nanos). */
    final Map<Integer, Long> outstanding = new LinkedHashMap<>();
    /** Requests cancelled here whose chunk may still cross our CANCEL on the wire. */
    final RecentSet cancelled = new RecentSet(HELD_MEMORY);
    Connection connection;
    Phase phase = Phase.CONNECTING;
    /** True when the peer said it is a server: the publisher (viewers say they are clients). */
    boolean publisher;
    /**
     * True once the answer to the PING sent behind our HELLO arrived: a server queues its HAVEs for the whole window
     * when it answers HELLO, so everything it held then has been heard, and its newest is a true live edge.
     */
    boolean announced;
    long lastByteNanos;
    long lastSentNanos;
    /** Requests given up in a row since the last chunk this peer delivered. */
    int lapsed;
    private long bytesReadAtTick;

    LivePeer(LiveSession session, InetSocketAddress address) {
        this.session = session;
        this.address = address;
        this.name = address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    boolean isReady() {
        return phase == Phase.READY;
    }

    /** Ready, and every chunk it held when it answered our HELLO has been announced to us. */
    boolean isAnnounced() {
        return phase == Phase.READY && announced;
    }

    void request(int index, long now) {
        outstanding.put(index, now);
        lastSentNanos = now;
        connection.send(IndexMessage.request(index));
    }

    void cancel(int index) {
        if (outstanding.remove(index) != null) {
            cancelled.add(index);
            connection.send(IndexMessage.cancel(index));
        }
    }

    /** Once per tick: drops a peer that owes chunks and sends nothing, and pings a quiet one to keep it. */
    void onTick(long now, long stallMillis) {
        long read = connection.bytesRead();
        if (read != bytesReadAtTick) {
            lastByteNanos = now;
            bytesReadAtTick = read;
        }
        if (!outstanding.isEmpty() && now - lastByteNanos > stallMillis * 1_000_000) {
            close("stalled: nothing for " + (now - lastByteNanos) / 1_000_000 + " ms with " + outstanding.size() + " chunks owed");
            return;
        }
        // pings and HAVEs are bytes too: a request unanswered this long is given up (and the chunk taken as not
        // held here), and a peer that lets several lapse in a row while announcing more is dropped
        for (Iterator<Map.Entry<Integer, Long>> it = outstanding.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Long> e = it.next();
            if (now - e.getValue() <= stallMillis * 1_000_000) {
                break; // in the order asked: the rest are younger
            }
            int index = e.getKey();
            it.remove();
            cancelled.add(index);
            held.remove(index);
            connection.send(IndexMessage.cancel(index));
            session.onLapsed(this, index);
            if (++lapsed >= MAX_LAPSED) {
                close("stalled: " + lapsed + " requests unanswered for " + stallMillis + " ms each");
                return;
            }
        }
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
        c.send(new Hello(Role.CLIENT, session.peerId(), session.listenPort(), session.contentId()));
        // its PONG comes behind the HAVEs the HELLO makes it send: the mark that its first announcements are complete
        c.send(EmptyMessage.PING);
    }

    @Override
    public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
        MessageType t = MessageType.of(type);
        lastByteNanos = session.nanoTime();
        switch (phase) {
            case AWAIT_HELLO -> {
                t.expect(MessageType.HELLO);
                Hello hello = Hello.decode(payload);
                hello.expectContent(session.contentId());
                publisher = hello.role() == Role.SERVER;
                phase = Phase.AWAIT_MANIFEST;
            }
            case AWAIT_MANIFEST -> {
                t.expect(MessageType.MANIFEST);
                session.onManifest(this, ManifestMessage.decode(payload).encoded());
                if (phase != Phase.CLOSED) {
                    // from now on no frame may be larger than this stream's chunk: a peer cannot make us buffer 4 MiB
                    connection.maxFrameBytes(Math.max(Wire.MAX_CONTROL_FRAME_BYTES, LiveChunkHeader.BYTES + session.chunkSize()));
                    phase = Phase.READY;
                    session.onPeerReady(this);
                }
            }
            case READY -> onReadyFrame(t, payload);
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t + " in phase " + phase);
        }
    }

    private void onReadyFrame(MessageType t, ByteBuffer payload) throws ProtocolException {
        switch (t) {
            case HAVE -> {
                int index = IndexMessage.decode(t, payload).index();
                if (session.isPlausible(index)) {
                    held.add(index);
                    session.onHave(this, index);
                }
            }
            case LIVE_CHUNK -> session.onChunk(this, LiveChunkHeader.decode(payload), payload);
            case REJECT -> {
                Reject r = Reject.decode(payload);
                session.onReject(this, r.index());
            }
            case LIVE_END -> session.onEnd(this, LiveEnd.decode(payload));
            case PING -> {
                EmptyMessage.decode(t, payload);
                connection.send(EmptyMessage.PONG);
            }
            case PONG -> {
                EmptyMessage.decode(t, payload);
                if (!announced) {
                    announced = true;
                    session.onAnnounced(this);
                }
            }
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED,
                    "message: " + t + " (expected: HAVE, LIVE_CHUNK, REJECT or LIVE_END on a live stream)");
        }
    }

    @Override
    public void onClose(String reason) {
        Phase was = phase;
        phase = Phase.CLOSED;
        session.onPeerClosed(this, was, reason);
    }

    @Override
    public String toString() {
        return name;
    }
}
