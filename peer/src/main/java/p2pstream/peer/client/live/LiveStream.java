package p2pstream.peer.client.live;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.common.wire.ProtocolException;
import p2pstream.peer.playback.LiveReader;
import p2pstream.peer.schedule.LiveRequests;
import p2pstream.peer.server.LiveHolding;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;
import p2pstream.peer.swarm.PeerLink;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.StreamHost;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Swarm;
import p2pstream.peer.swarm.ViewerStream;

/**
 * One live stream of a viewer, built once its live manifest is verified: joins near the live edge, fetches each
 * announced chunk from a viewer that holds it when one does (the publisher otherwise), verifies every chunk's
 * signature before keeping, relaying or playing it, and hands chunks in order to its reader. A chunk that misses
 * its moment (a later one has waited longer than the latency) is skipped, never waited for forever. Policy is in
 * docs/SCHEDULING.md. Everything runs on the viewer's loop thread.
 */
public final class LiveStream implements ViewerStream, LivePeer.Owner {
    private static final Logger log = LoggerFactory.getLogger(LiveStream.class);
    private static final String FORBIDDEN = "peer error " + ErrorCode.FORBIDDEN.name() + ":";

    private final StreamHost host;
    private final EventLoop loop;
    private final StreamRequest request;
    private final Swarm<LivePeer> swarm;
    private final LiveManifest manifest;
    private final ContentId contentId;
    private final String name;
    private final LiveWindow window;
    private final LiveHolding holding;
    private final LiveJoin join;
    private final LivePlayhead playhead;
    private final LiveRequests requests;
    private final LiveIntake intake;
    private final CompletableFuture<Void> failure = new CompletableFuture<>();
    private boolean pumpPosted;
    private boolean finished;
    private boolean announced;
    private long lastChunkNanos;
    private int fromPublisher;
    private int fromViewers;
    private long receivedBytes;
    private Runnable onTick = () -> { };
    /** Our grant when the stream is private, kept fresh; its current one is null while the stream is public. */
    private final LiveGrant grant;

    /** Takes over {@code swarm}'s links from the opening (the caller moves their owner here). */
    LiveStream(StreamHost host, StreamRequest request, Swarm<LivePeer> swarm, LiveManifest manifest, String name,
               Grant initialGrant) {
        this.host = host;
        this.loop = host.loop();
        this.request = request;
        this.swarm = swarm;
        this.manifest = manifest;
        this.contentId = manifest.contentId();
        this.name = name;
        this.window = new LiveWindow(request.windowChunks());
        // a relay tells all at once: no upload to save
        this.holding = new LiveHolding(manifest, window, 0, 0, loop.clock());
        this.join = new LiveJoin(request.latencyMillis(), loop.clock());
        this.playhead = new LivePlayhead(join, request.latencyMillis());
        this.requests = new LiveRequests(swarm.peers());
        this.intake = new LiveIntake(manifest, window, new LiveVerifier(host.verifiers(), loop), swarm, loop.clock(),
                request.latencyMillis(), new LiveIntake.Listener() {
                    @Override
                    public void onKept(LivePeer peer, LiveChunk chunk, long delayMicros) {
                        LiveStream.this.onKept(peer, chunk, delayMicros);
                    }

                    @Override
                    public void onEnded(LiveEnd end) {
                        LiveStream.this.onEnded(end);
                    }

                    @Override
                    public void onRefused() {
                        host.catalog().traffic().rejected();
                        schedulePump();
                    }
                });
        this.lastChunkNanos = loop.nanoTime();
        this.grant = new LiveGrant(host, contentId, initialGrant, this::onGrantAdopted);
        if (initialGrant == null) {
            host.catalog().serve(contentId, holding);
        } else {
            host.catalog().servePrivate(contentId, holding, initialGrant);
        }
        host.catalog().onServingPeers(contentId, this::onServingPeer);
        swarm.links(a -> new LivePeer(a, host.hello(contentId, grant.current()), grant.current(), loop.clock(), this));
        swarm.onChanged(this::schedulePump);
    }

    void start() {
        log.info("{} is live ({}): joining about {} ms behind the edge", name, contentId.shortHex(),
                request.latencyMillis());
        loop.schedule(host.timings().liveTickMillis(), this::tick);
    }

    /** Where the chunks go, in order; until one is set the stream fetches and holds, but does not join. Loop thread. */
    public void reader(LiveReader reader) {
        playhead.reader(reader);
        advance();
    }

    /** A viewer that fetches from us holds the stream too: fetch from it in turn, without waiting for a lookup. */
    private void onServingPeer(InetSocketAddress address) {
        swarm.offer(address);
    }

    // ---- figures (loop thread) ----

    @Override
    public ContentId contentId() {
        return contentId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<Void> failure() {
        return failure;
    }

    /** Runs every tick while the stream runs: time to draw a progress line. */
    public void onTick(Runnable r) {
        this.onTick = r;
    }

    /** True once the reader's starting chunk is chosen. */
    public boolean joined() {
        return playhead.playhead() >= 0;
    }

    public int readyPeers() {
        return swarm.readyCount();
    }

    public LivePlayhead.Counts counts() {
        return playhead.counts();
    }

    public int fromPublisher() {
        return fromPublisher;
    }

    public int fromViewers() {
        return fromViewers;
    }

    /** Bytes of the chunks kept (verified) so far. */
    public long receivedBytes() {
        return receivedBytes;
    }

    public int backlog() {
        return join.backlog();
    }

    public boolean ended() {
        return intake.end() != null;
    }

    /** When our grant for this private stream expires (wall clock millis; renewed as it goes), -1 when public. */
    public long grantExpiresMillis() {
        Grant g = grant.current();
        return g == null ? -1 : g.expiresMillis();
    }

    /** Chunks and ends refused: bad signatures, replays. */
    public int signatureFailures() {
        return intake.refused();
    }

    // ---- events from peers ----

    @Override
    public int onManifest(LivePeer peer, byte[] encoded) throws ProtocolException {
        if (!Arrays.equals(encoded, manifest.encoded())) {
            throw ProtocolException.malformed("manifest: differs from the verified one (expected: content id "
                    + contentId.shortHex() + ")");
        }
        return LiveChunkHeader.BYTES + manifest.chunkSize();
    }

    @Override
    public void onPeerReady(LivePeer peer) {
        host.catalog().traffic().peerReady(peer.name, peer.route());
        log.debug("{} ready ({})", peer, peer.isPublisher() ? "publisher" : "viewer");
    }

    @Override
    public void onAnnounced(LivePeer peer) {
        schedulePump();
    }

    @Override
    public void onHave(LivePeer peer, int index) {
        if (!window.holds(index)) {
            requests.heard(index, loop.nanoTime());
        }
        schedulePump();
    }

    @Override
    public boolean isPlausible(int index) {
        return window.newest() < 0 || index <= window.newest() + window.capacity();
    }

    @Override
    public void onReject(LivePeer peer, int index) throws ProtocolException {
        if (peer.outstanding.remove(index) == null) {
            if (peer.cancelled.contains(index)) {
                peer.cancelled.remove(index);
                return;
            }
            throw new ProtocolException(ErrorCode.UNEXPECTED, "reject: " + index + " (expected: a requested chunk)");
        }
        requests.landed(index);
        peer.held.remove(index); // gone from its window, or never there
        schedulePump();
    }

    @Override
    public void onPeerClosed(LivePeer peer, PeerLink.Phase was, String reason) {
        for (int index : peer.outstanding.keySet()) {
            requests.landed(index);
        }
        peer.outstanding.clear();
        swarm.onClosed(peer, was, reason);
        Grant g = grant.current();
        if (g != null && reason != null && reason.startsWith(FORBIDDEN) && (g.owner().equals(peer.peerId())
                || loop.clock().epochMicros() / 1000 >= g.expiresMillis())) {
            // the owner's word is final (revoked, or taken off its list); and once our last grant expired, nobody
            // else will serve us either
            fail(StreamFailure.FORBIDDEN, "live stream " + name + ": " + reason.substring("peer error ".length()));
        }
    }

    @Override
    public void onLapsed(LivePeer peer, int index) {
        requests.landed(index);
        schedulePump();
    }

    @Override
    public void onChunk(LivePeer peer, LiveChunkHeader header, ByteBuffer payload) throws ProtocolException {
        int index = header.index();
        if (peer.outstanding.remove(index) == null) {
            if (peer.cancelled.contains(index)) {
                peer.cancelled.remove(index); // crossed our CANCEL on the wire
                return;
            }
            throw new ProtocolException(ErrorCode.UNEXPECTED, "live chunk: " + index
                    + " (expected: a requested chunk)");
        }
        requests.landed(index);
        peer.lapsed = 0;
        if (payload.remaining() > manifest.chunkSize()) {
            throw ProtocolException.malformed("live chunk " + index + " length: " + payload.remaining()
                    + " (expected: <= " + manifest.chunkSize() + ")");
        }
        intake.onChunk(peer, header, payload);
    }

    @Override
    public void onEnd(LivePeer peer, LiveEnd e) {
        intake.onEnd(peer, e);
    }

    /** A chunk passed every check: the reader, the links and the tracker hear of it. */
    private void onKept(LivePeer peer, LiveChunk chunk, long delayMicros) {
        int index = chunk.index();
        join.onArrival(index, delayMicros);
        playhead.onReceived(index);
        if (peer.isPublisher()) {
            fromPublisher++;
        } else {
            fromViewers++;
        }
        host.catalog().traffic().received(peer.name, chunk.length());
        receivedBytes += chunk.length();
        lastChunkNanos = loop.nanoTime();
        requests.cancelOthers(index, peer);
        if (!announced && host.catalog().listenPort() != 0 && host.tracker() != null) {
            announced = true;
            announce();
        }
        advance();
        schedulePump();
    }

    /** Tells the tracker we hold the stream: with our grant when it is private (it names us to grantees only). */
    private void announce() {
        Announce a = new Announce(contentId, name, -1, manifest.chunkSize(), 0, 0);
        Grant g = grant.current();
        if (g == null) {
            host.tracker().announce(a);
        } else {
            host.tracker().announce(new PrivateAnnounce(a, List.of(g)));
        }
    }

    @Override
    public void onGranted(LivePeer peer, Grant g) {
        grant.offer(g);
    }

    /** A fresher grant of ours: we serve under it, and the tracker has it (our holding's stays unexpired there). */
    private void onGrantAdopted(Grant g) {
        host.catalog().servePrivate(contentId, holding, g);
        if (announced) {
            announce();
        }
    }

    private void onEnded(LiveEnd e) {
        playhead.onEnd(loop.nanoTime());
        advance();
    }

    /** Hands chunks in order to the reader; once the stream is over, lets the reader finish. */
    private void advance() {
        if (!finished && playhead.advance(window, swarm.peers(), intake.end(), loop.nanoTime())) {
            finished = true;
            playhead.finish();
        }
    }

    // ---- requesting ----

    private boolean isWanted(int index) {
        LiveEnd end = intake.end();
        return !window.holds(index) && !intake.isVerifying(index) && (end == null || index < end.chunkCount());
    }

    private void schedulePump() {
        if (!pumpPosted) {
            pumpPosted = true;
            loop.execute(() -> {
                pumpPosted = false;
                pump();
            });
        }
    }

    private void pump() {
        if (finished) {
            return;
        }
        int top = -1;
        for (LivePeer p : swarm.peers()) {
            // before the join, only a peer whose first HAVEs are all in: the first of them is its oldest chunk,
            // not its edge
            if (playhead.playhead() >= 0 ? p.isReady() : p.isAnnounced()) {
                top = Math.max(top, p.held.top());
            }
        }
        int from = playhead.playhead() >= 0 ? playhead.playhead() : join.from(top);
        if (from >= 0) {
            long hedgeNanos = Math.max(200, request.latencyMillis() / 4) * 1_000_000;
            requests.pump(from, Math.min(top, from + window.capacity() - 1), this::isWanted,
                    loop.nanoTime(), hedgeNanos);
        }
    }

    // ---- periodic work ----

    private void tick() {
        if (finished) {
            return;
        }
        long now = loop.nanoTime();
        long stallMillis = Math.max(host.timings().minStallMillis(), 2 * request.latencyMillis());
        for (LivePeer p : List.copyOf(swarm.peers())) {
            if (p.isReady()) {
                p.onTick(now, stallMillis);
            }
        }
        advance();
        if (finished) {
            return;
        }
        if (now - lastChunkNanos > request.noPeerTimeoutMillis() * 1_000_000) {
            fail(StreamFailure.UNREACHABLE,
                    "live stream " + name + ": no new chunk for " + request.noPeerTimeoutMillis()
                    + " ms (expected: the publisher or a relay to keep sending; has the publisher stopped?)");
            return;
        }
        swarm.tick(now);
        grant.onTick(swarm.peers());
        if (grant.current() != null) {
            host.catalog().recheckReaders(contentId); // a reader whose grant expired is closed FORBIDDEN
        }
        pump();
        onTick.run();
        loop.schedule(host.timings().liveTickMillis(), this::tick);
    }

    private void fail(int status, String message) {
        if (!finished) {
            stop("live stream failed");
            failure.completeExceptionally(new StreamFailure(status, message));
        }
    }

    @Override
    public void stop(String reason) {
        finished = true;
        intake.stop();
        swarm.stop(reason);
    }
}
