package p2pstream.peer.client.live;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
    /**
     * A validly signed chunk published longer ago than this (by our clock, so clocks must agree to within it)
     * is an old one replayed, however consistent with its neighbours: live chunks are wanted seconds after.
     */
    static final long MAX_CHUNK_AGE_MILLIS = 60_000;

    private final StreamHost host;
    private final EventLoop loop;
    private final StreamRequest request;
    private final Swarm<LivePeer> swarm;
    private final LiveManifest manifest;
    private final ContentId contentId;
    private final String name;
    private final LiveWindow window;
    private final LiveHolding holding;
    private final LiveVerifier verifier;
    private final LiveJoin join;
    private final LivePlayhead playhead;
    private final LiveRequests requests;
    private final Set<Integer> verifying = new HashSet<>();
    private final CompletableFuture<Void> failure = new CompletableFuture<>();
    private LiveEnd end;
    /** A verified end that arrived before any chunk: accepted once a chunk shows it is not an old one replayed. */
    private LiveEnd pendingEnd;
    private LivePeer pendingEndPeer;
    private boolean pumpPosted;
    private boolean finished;
    private boolean announced;
    private long lastChunkNanos;
    private int fromPublisher;
    private int fromViewers;
    private int signatureFailures;
    private Runnable onTick = () -> { };

    /** Takes over {@code swarm}'s links from the opening (the caller moves their owner here). */
    LiveStream(StreamHost host, StreamRequest request, Swarm<LivePeer> swarm, LiveManifest manifest, String name) {
        this.host = host;
        this.loop = host.loop();
        this.request = request;
        this.swarm = swarm;
        this.manifest = manifest;
        this.contentId = manifest.contentId();
        this.name = name;
        this.window = new LiveWindow(request.windowChunks());
        this.holding = new LiveHolding(manifest, window, 0, 0); // a relay tells everyone at once: it has no upload to save
        this.verifier = new LiveVerifier(host.verifiers(), loop);
        this.join = new LiveJoin(request.latencyMillis(), loop.clock());
        this.playhead = new LivePlayhead(join, request.latencyMillis());
        this.requests = new LiveRequests(swarm.peers());
        this.lastChunkNanos = loop.nanoTime();
        host.catalog().serve(contentId, holding);
        host.catalog().onServingPeers(contentId, this::onServingPeer);
        swarm.links(a -> new LivePeer(a, host.hello(contentId), loop.clock(), this));
        swarm.onChanged(this::schedulePump);
    }

    void start() {
        log.info("{} is live ({}): joining about {} ms behind the edge", name, contentId.shortHex(), request.latencyMillis());
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

    public int backlog() {
        return join.backlog();
    }

    public boolean ended() {
        return end != null;
    }

    public int signatureFailures() {
        return signatureFailures;
    }

    // ---- events from peers ----

    @Override
    public int onManifest(LivePeer peer, byte[] encoded) throws ProtocolException {
        if (!Arrays.equals(encoded, manifest.encoded())) {
            throw ProtocolException.malformed("manifest: differs from the verified one (expected: content id " + contentId.shortHex() + ")");
        }
        return LiveChunkHeader.BYTES + manifest.chunkSize();
    }

    @Override
    public void onPeerReady(LivePeer peer) {
        host.catalog().traffic().peerReady(peer.name);
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
            throw new ProtocolException(ErrorCode.UNEXPECTED, "live chunk: " + index + " (expected: a requested chunk)");
        }
        requests.landed(index);
        peer.lapsed = 0;
        if (payload.remaining() > manifest.chunkSize()) {
            throw ProtocolException.malformed("live chunk " + index + " length: " + payload.remaining() + " (expected: <= "
                    + manifest.chunkSize() + ")");
        }
        if (window.holds(index) || verifying.contains(index)) {
            return; // the other copy won or is being checked
        }
        verifying.add(index);
        verifier.submit(manifest, header, payload, (chunk, good) -> onVerified(peer, chunk, good));
    }

    private void onVerified(LivePeer peer, LiveChunk chunk, boolean good) {
        int index = chunk.index();
        verifying.remove(index);
        if (finished) {
            return;
        }
        long nowMicros = loop.clock().epochMicros();
        long delayMicros = nowMicros - chunk.publishMicros();
        long maxAgeMillis = maxAgeMillis();
        boolean stale = good && delayMicros > maxAgeMillis * 1000 && !holdsChunkWithin(nowMicros, maxAgeMillis);
        if (stale && !peer.isPublisher()) {
            // old, and nothing fresher held: the publisher's input may be stalled, so this is no proof of a
            // replay; a relay's old chunk is refused and the relay tried again later, not banned
            signatureFailures++;
            peer.close("live chunk " + index + ": published " + delayMicros / 1000 + " ms ago and nothing fresher held");
            return;
        }
        // from the publisher itself, an old chunk while nothing fresher is held is its stalled input's edge
        String problem = !good ? "live chunk " + index + ": signature does not verify"
                : LiveVerifier.replayProblem(chunk, window, end, delayMicros, stale ? Long.MAX_VALUE / 1000 : maxAgeMillis);
        if (problem != null) {
            drop(peer, problem);
            return;
        }
        join.onArrival(index, delayMicros);
        window.add(chunk); // relayed from here: the holding tells those we serve
        playhead.onReceived(index);
        if (peer.isPublisher()) {
            fromPublisher++;
        } else {
            fromViewers++;
        }
        host.catalog().traffic().received(peer.name, chunk.length());
        lastChunkNanos = loop.nanoTime();
        requests.cancelOthers(index, peer);
        if (!announced && host.catalog().listenPort() != 0 && host.tracker() != null) {
            announced = true;
            host.tracker().announce(new Announce(contentId, name, -1, manifest.chunkSize(), 0, 0));
        }
        if (pendingEnd != null) {
            LiveEnd e = pendingEnd;
            pendingEnd = null;
            onEnd(pendingEndPeer, e);
        }
        advance();
        schedulePump();
    }

    @Override
    public void onEnd(LivePeer peer, LiveEnd e) {
        if (end != null) {
            return;
        }
        if (window.newest() < 0 && e.chunkCount() > 0) {
            pendingEnd = e; // checked once a chunk is there to check it against
            pendingEndPeer = peer;
            return;
        }
        String problem = LiveVerifier.endProblem(e, manifest, window, maxAgeMillis(), loop.clock().epochMicros());
        if (problem != null) {
            drop(peer, problem);
            return;
        }
        end = e;
        playhead.onEnd(loop.nanoTime());
        window.end(e);
        log.info("{}: the publisher ended the stream after {} chunks", name, e.chunkCount());
        advance();
    }

    private long maxAgeMillis() {
        return Math.max(MAX_CHUNK_AGE_MILLIS, 10 * request.latencyMillis());
    }

    /** True when the newest chunk held was published within {@code maxAgeMillis}: the stream is fresh. */
    private boolean holdsChunkWithin(long nowMicros, long maxAgeMillis) {
        LiveChunk newest = window.newest() < 0 ? null : window.get(window.newest());
        return newest != null && nowMicros - newest.publishMicros() <= maxAgeMillis * 1000;
    }

    private void drop(LivePeer peer, String why) {
        signatureFailures++;
        if (swarm.ban(peer.address)) {
            log.warn("{} sent {}: dropping it for this session", peer, why);
        }
        peer.close(why);
        schedulePump();
    }

    /** Hands chunks in order to the reader; once the stream is over, lets the reader finish. */
    private void advance() {
        if (!finished && playhead.advance(window, swarm.peers(), end, loop.nanoTime())) {
            finished = true;
            playhead.finish();
        }
    }

    // ---- requesting ----

    private boolean isWanted(int index) {
        return !window.holds(index) && !verifying.contains(index) && (end == null || index < end.chunkCount());
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
            // before the join, only a peer whose first HAVEs are all in: the first of them is its oldest chunk, not its edge
            if (playhead.playhead() >= 0 ? p.isReady() : p.isAnnounced()) {
                top = Math.max(top, p.held.top());
            }
        }
        int from = playhead.playhead() >= 0 ? playhead.playhead() : join.from(top);
        if (from >= 0) {
            long hedgeNanos = Math.max(200, request.latencyMillis() / 4) * 1_000_000;
            requests.pump(from, Math.min(top, from + window.capacity() - 1), this::isWanted, loop.nanoTime(), hedgeNanos);
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
            fail(StreamFailure.UNREACHABLE, "live stream " + name + ": no new chunk for " + request.noPeerTimeoutMillis()
                    + " ms (expected: the publisher or a relay to keep sending; has the publisher stopped?)");
            return;
        }
        swarm.tick(now);
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
        swarm.stop(reason);
    }
}
