package p2pstream.peer.client.live;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import p2pstream.common.access.Grant;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.swarm.PeerLink;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.StreamHost;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Swarm;

/**
 * A live stream being opened: connects to the peers the tracker named until one sends a live manifest that
 * verifies against the content id, then builds the {@link LiveStream} on it, handing over every link. Fails when
 * no peer delivers a manifest for the no-peer time. Loop thread only.
 */
public final class LiveOpening implements LivePeer.Owner {
    private static final String FORBIDDEN = "peer error " + ErrorCode.FORBIDDEN.name() + ":";
    private final StreamHost host;
    private final EventLoop loop;
    private final StreamRequest request;
    private final ContentId contentId;
    private final String name;
    private final Swarm<LivePeer> swarm;
    private final CompletableFuture<LiveStream> result = new CompletableFuture<>();
    private final long startNanos;
    private LiveStream stream;
    /** Our grant for a private stream (the tracker's), shown to every peer; null: public. */
    private final Grant grant;
    /** The last refusal of a peer that would not let us read the stream, or null. */
    private String forbidden;

    public LiveOpening(StreamHost host, StreamRequest request, Peers found) {
        this(host, request, found, null);
    }

    /** @param grant our grant for the private stream (from {@code found}, checked), or null */
    public LiveOpening(StreamHost host, StreamRequest request, Peers found, Grant grant) {
        this.host = host;
        this.loop = host.loop();
        this.request = request;
        this.contentId = found.contentId();
        this.name = found.name();
        this.grant = grant;
        this.swarm = new Swarm<>(loop, host.tracker(), host.arrangements(), host.catalog().key(), contentId,
                request, host.timings(),
                a -> new LivePeer(a, host.hello(contentId, grant), grant, loop.clock(), this));
        swarm.onFirstLookup(found);
        this.startNanos = loop.nanoTime();
    }

    /** Completes with the stream once a manifest verified, or exceptionally with a {@link StreamFailure}. */
    public CompletableFuture<LiveStream> start() {
        swarm.connectMore();
        loop.schedule(host.timings().liveTickMillis(), this::tick);
        return result;
    }

    @Override
    public int onManifest(LivePeer peer, byte[] encoded) throws ProtocolException {
        if (stream != null) {
            return stream.onManifest(peer, encoded);
        }
        LiveManifest m = LiveManifest.decode(encoded, contentId);
        stream = new LiveStream(host, request, swarm, m, name, grant);
        for (LivePeer p : swarm.peers()) {
            p.owner(stream);
        }
        stream.start();
        result.complete(stream);
        return LiveChunkHeader.BYTES + m.chunkSize();
    }

    @Override
    public void onPeerReady(LivePeer peer) {
        throw new IllegalStateException(peer + " ready before the manifest");
    }

    @Override
    public void onAnnounced(LivePeer peer) {
        // its PONG can come before its MANIFEST only from a peer that broke the order: nothing to do yet
    }

    @Override
    public boolean isPlausible(int index) {
        return false;
    }

    @Override
    public void onHave(LivePeer peer, int index) {
        throw new IllegalStateException(peer + " HAVE before the manifest");
    }

    @Override
    public void onChunk(LivePeer peer, LiveChunkHeader header, ByteBuffer payload) {
        throw new IllegalStateException(peer + " LIVE_CHUNK before the manifest");
    }

    @Override
    public void onReject(LivePeer peer, int index) {
        throw new IllegalStateException(peer + " REJECT before the manifest");
    }

    @Override
    public void onEnd(LivePeer peer, LiveEnd end) {
        throw new IllegalStateException(peer + " LIVE_END before the manifest");
    }

    @Override
    public void onLapsed(LivePeer peer, int index) {
        // nothing is requested before the manifest
    }

    @Override
    public void onPeerClosed(LivePeer peer, PeerLink.Phase was, String reason) {
        boolean refused = reason != null && reason.startsWith(FORBIDDEN) && !result.isDone();
        if (refused) {
            swarm.ban(peer.address); // before the swarm tries it again
            forbidden = reason.substring("peer error ".length());
        }
        swarm.onClosed(peer, was, reason);
        if (refused && swarm.namedPeersAllBanned()) {
            fail(StreamFailure.FORBIDDEN, name + ": " + forbidden);
        } else if (swarm.wrongIdentity() != null) {
            fail(StreamFailure.TRACKER_IDENTITY, swarm.wrongIdentity());
        }
    }

    @Override
    public void onGranted(LivePeer peer, Grant g) {
        // a stream the tracker gave us no grant for is public, and stays so: any peer can sign a grant naming us
        // (only that it is its own is checked), and one adopted would make us serve privately, then end refused
    }

    private void tick() {
        if (result.isDone()) {
            return; // the stream ticks from here on
        }
        long now = loop.nanoTime();
        swarm.tick(now);
        if (now - startNanos > request.noPeerTimeoutMillis() * 1_000_000) {
            // the same words as a stream that stops sending: to the user, no manifest is no new chunk
            fail(forbidden != null ? StreamFailure.FORBIDDEN : StreamFailure.UNREACHABLE,
                    "live stream " + name + ": no new chunk for " + request.noPeerTimeoutMillis()
                    + " ms (expected: the publisher or a relay to keep sending; has the publisher stopped?"
                    + (forbidden != null ? " refused: " + forbidden : "") + ")");
            return;
        }
        loop.schedule(host.timings().liveTickMillis(), this::tick);
    }

    /** Gives up: every link closes. Loop thread. */
    public void fail(int status, String message) {
        if (!result.isDone()) {
            swarm.stop("live stream failed");
            result.completeExceptionally(new StreamFailure(status, message));
        }
    }
}
