package p2pstream.peer.client;

import p2pstream.peer.tracker.TrackerClient;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.peer.playback.LivePlayer;
import p2pstream.peer.server.LiveHolding;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;

/**
 * One live stream being watched: keeps up to K peers, joins near the live edge, fetches each announced chunk
 * from a viewer that holds it when one does (the publisher otherwise), verifies every chunk's signature before
 * keeping, relaying or playing it, and hands chunks in order to the {@link LivePlayer}. A chunk that misses its
 * moment (a later one has waited longer than the latency) is skipped, never waited for forever. Policy is in
 * docs/SCHEDULING.md. Everything runs on the download's one loop thread.
 */
final class LiveSession {
    private static final Logger log = LoggerFactory.getLogger(LiveSession.class);
    static final long TICK_MILLIS = 100;
    static final long MIN_STALL_MILLIS = 3_000;
    /** Chunks fetched back from the edge at a time while looking for where {@code latency} ago was. */
    static final int JOIN_BATCH = 8;
    /**
     * A validly signed chunk published longer ago than this (by our clock, so clocks must agree to within it)
     * is an old one replayed, however consistent with its neighbours: live chunks are wanted seconds after.
     */
    static final long MAX_CHUNK_AGE_MILLIS = 60_000;

    /** What the session reports to the run that owns it; called on the loop thread. */
    interface Listener {
        void onFailed(int exitStatus, String message);

        /** Every tick while the stream runs: time to draw the progress line. */
        void onTick();
    }

    private final EventLoop loop;
    private final Download.Config config;
    private final Listener listener;
    private final ViewerCatalog catalog;
    private final TrackerClient tracker;
    private final LiveVerifier verifier;
    private final LivePlayer player;
    private final LiveJoin join;
    private final LiveOutput output;
    private final LiveRequester requester;
    private final Candidates candidates = new Candidates(DownloadSession.RETRY_DELAY_MILLIS);
    private final List<LivePeer> peers = new ArrayList<>();
    private final Set<Integer> verifying = new HashSet<>();
    private final ContentId contentId;
    private final String name;
    private LiveManifest manifest;
    private LiveWindow window;
    private LiveHolding holding;
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

    LiveSession(EventLoop loop, Download.Config config, Listener listener, ViewerCatalog catalog, TrackerClient tracker,
                Executor verifier, LivePlayer player, Peers found) {
        this.loop = loop;
        this.config = config;
        this.listener = listener;
        this.catalog = catalog;
        this.tracker = tracker;
        this.verifier = new LiveVerifier(verifier, loop);
        this.player = player;
        this.contentId = found.contentId();
        this.name = found.name();
        this.join = new LiveJoin(config.latencyMillis);
        this.output = new LiveOutput(player, join, config.latencyMillis);
        this.requester = new LiveRequester(peers);
        catalog.onServingPeers(this::onServingPeer);
        this.lastChunkNanos = loop.nanoTime();
        candidates.lookedUp(loop.nanoTime());
        if (config.peerAddresses.isEmpty()) {
            candidates.addAll(found, contentId);
        } else {
            config.peerAddresses.forEach(candidates::add);
        }
    }

    void start() {
        log.info("{} is live ({}): joining about {} ms behind the edge", name, contentId.shortHex(), config.latencyMillis);
        connectMore();
        loop.schedule(TICK_MILLIS, this::tick);
    }

    void stop(String reason) {
        finished = true;
        for (LivePeer p : new ArrayList<>(peers)) {
            p.close(reason);
        }
    }

    // ---- serving (relaying: what is served comes from the catalog) ----

    PeerId peerId() {
        return catalog.peerId();
    }

    int listenPort() {
        return catalog.listenPort();
    }

    /** A viewer that fetches from us holds the stream too: fetch from it in turn, without waiting for a lookup. */
    private void onServingPeer(InetSocketAddress address) {
        if (config.peerAddresses.isEmpty() && !finished) {
            candidates.add(address);
            connectMore();
        }
    }

    // ---- figures (loop thread) ----

    ContentId contentId() {
        return contentId;
    }

    String name() {
        return name;
    }

    long nanoTime() {
        return loop.nanoTime();
    }

    /** The largest chunk of the stream, once its manifest is verified. */
    int chunkSize() {
        return manifest.chunkSize();
    }

    /** True once the output's starting chunk is chosen. */
    boolean joined() {
        return output.playhead() >= 0;
    }

    int readyPeers() {
        int n = 0;
        for (LivePeer p : peers) {
            n += p.isReady() ? 1 : 0;
        }
        return n;
    }

    Stats.Live figures() {
        return new Stats.Live(-1, -1, -1, 0, 0, output.skipped(), fromPublisher, fromViewers, join.backlog(), end != null, 0,
                output.first(), output.beforeFirst(), output.skippedReceived());
    }

    int signatureFailures() {
        return signatureFailures;
    }

    long uploadedBytes() {
        return catalog.traffic().uploadedBytes();
    }

    List<Stats.PeerBytes> peerBytes() {
        return catalog.traffic().peerBytes();
    }

    // ---- peers ----

    private void connectMore() {
        long now = loop.nanoTime();
        while (peers.size() < config.maxPeers && !finished) {
            InetSocketAddress a = candidates.next(now, x -> peers.stream().anyMatch(p -> p.address.equals(x)));
            if (a == null) {
                return;
            }
            LivePeer p = new LivePeer(this, a);
            peers.add(p);
            p.connection = loop.connect(a, p, DownloadSession.PEER_LIMITS);
        }
    }

    void onManifest(LivePeer peer, byte[] encoded) throws ProtocolException {
        if (manifest != null) {
            if (!Arrays.equals(encoded, manifest.encoded())) {
                throw ProtocolException.malformed("manifest: differs from the verified one (expected: content id " + contentId.shortHex() + ")");
            }
            return;
        }
        manifest = LiveManifest.decode(encoded, contentId);
        window = new LiveWindow(config.windowChunks);
        holding = new LiveHolding(manifest, window, 0, 0); // a relay tells everyone at once: it has no upload to save
        catalog.serve(contentId, holding);
        log.info("{}: live manifest verified from {}: chunks up to {} bytes, window {}", name, peer, manifest.chunkSize(), config.windowChunks);
    }

    void onPeerReady(LivePeer peer) {
        catalog.traffic().peerReady(peer.name);
        log.debug("{} ready ({})", peer, peer.publisher ? "publisher" : "viewer");
    }

    void onAnnounced(LivePeer peer) {
        schedulePump();
    }

    void onHave(LivePeer peer, int index) {
        if (window == null || !window.holds(index)) {
            requester.heard(index, loop.nanoTime());
        }
        schedulePump();
    }

    /**
     * An announced index worth remembering: any before the first chunk arrives, then at most a window past the
     * newest verified one (a peer announcing far ahead is lying or on another clock; either way it cannot deliver).
     */
    boolean isPlausible(int index) {
        return window == null || window.newest() < 0 || index <= window.newest() + window.capacity();
    }

    void onReject(LivePeer peer, int index) throws ProtocolException {
        if (peer.outstanding.remove(index) == null) {
            if (peer.cancelled.contains(index)) {
                peer.cancelled.remove(index);
                return;
            }
            throw new ProtocolException(ErrorCode.UNEXPECTED, "reject: " + index + " (expected: a requested chunk)");
        }
        requester.landed(index);
        peer.held.remove(index); // gone from its window, or never there
        schedulePump();
    }

    void onPeerClosed(LivePeer peer, LivePeer.Phase was, String reason) {
        peers.remove(peer);
        for (int index : peer.outstanding.keySet()) {
            requester.landed(index);
        }
        peer.outstanding.clear();
        if (finished) {
            return;
        }
        log.info("{} {}: {}", peer, was == LivePeer.Phase.READY ? "left" : "not usable", reason);
        candidates.failed(peer.address, loop.nanoTime());
        connectMore();
        schedulePump();
    }

    /** {@code peer} left a request unanswered too long: ask another holder. */
    void onLapsed(LivePeer peer, int index) {
        requester.landed(index);
        schedulePump();
    }

    // ---- chunks ----

    void onChunk(LivePeer peer, LiveChunkHeader header, ByteBuffer payload) throws ProtocolException {
        int index = header.index();
        if (peer.outstanding.remove(index) == null) {
            if (peer.cancelled.contains(index)) {
                peer.cancelled.remove(index); // crossed our CANCEL on the wire
                return;
            }
            throw new ProtocolException(ErrorCode.UNEXPECTED, "live chunk: " + index + " (expected: a requested chunk)");
        }
        requester.landed(index);
        peer.lapsed = 0;
        if (payload.remaining() > manifest.chunkSize()) {
            throw ProtocolException.malformed("live chunk " + index + " length: " + payload.remaining() + " (expected: <= " + manifest.chunkSize() + ")");
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
        long nowMicros = System.currentTimeMillis() * 1000;
        long delayMicros = nowMicros - chunk.publishMicros();
        long maxAgeMillis = Math.max(MAX_CHUNK_AGE_MILLIS, 10 * config.latencyMillis);
        boolean stale = good && delayMicros > maxAgeMillis * 1000 && !holdsChunkWithin(nowMicros, maxAgeMillis);
        if (stale && !peer.publisher) {
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
        output.onReceived(index);
        if (peer.publisher) {
            fromPublisher++;
        } else {
            fromViewers++;
        }
        catalog.traffic().received(peer.name, chunk.length());
        lastChunkNanos = loop.nanoTime();
        requester.cancelOthers(index, peer);
        if (!announced && catalog.listenPort() != 0) {
            announced = true;
            tracker.announce(new Announce(contentId, name, -1, manifest.chunkSize(), 0, 0));
        }
        if (pendingEnd != null) {
            LiveEnd e = pendingEnd;
            pendingEnd = null;
            onEnd(pendingEndPeer, e);
        }
        advance();
        schedulePump();
    }

    void onEnd(LivePeer peer, LiveEnd e) {
        if (end != null || manifest == null) {
            return;
        }
        if (window.newest() < 0 && e.chunkCount() > 0) {
            pendingEnd = e; // checked once a chunk is there to check it against
            pendingEndPeer = peer;
            return;
        }
        String problem = LiveVerifier.endProblem(e, manifest, window, Math.max(MAX_CHUNK_AGE_MILLIS, 10 * config.latencyMillis));
        if (problem != null) {
            drop(peer, problem);
            return;
        }
        end = e;
        output.onEnd(loop.nanoTime());
        window.end(e);
        log.info("{}: the publisher ended the stream after {} chunks", name, e.chunkCount());
        advance();
    }

    /** True when the newest chunk held was published within {@code maxAgeMillis}: the stream is fresh. */
    private boolean holdsChunkWithin(long nowMicros, long maxAgeMillis) {
        LiveChunk newest = window.newest() < 0 ? null : window.get(window.newest());
        return newest != null && nowMicros - newest.publishMicros() <= maxAgeMillis * 1000;
    }

    private void drop(LivePeer peer, String why) {
        signatureFailures++;
        if (candidates.ban(peer.address)) {
            log.warn("{} sent {}: dropping it for this session", peer, why);
        }
        peer.close(why);
        schedulePump();
    }

    /** Hands chunks in order to the player; once the stream is over, lets the player finish. */
    private void advance() {
        if (!finished && window != null && output.advance(window, peers, end, loop.nanoTime())) {
            finished = true;
            player.finish();
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
        if (finished || manifest == null) {
            return;
        }
        int top = -1;
        for (LivePeer p : peers) {
            // before the join, only a peer whose first HAVEs are all in: the first of them is its oldest chunk, not its edge
            if (output.playhead() >= 0 ? p.isReady() : p.isAnnounced()) {
                top = Math.max(top, p.held.top());
            }
        }
        int from = output.playhead() >= 0 ? output.playhead() : join.from(top);
        if (from >= 0) {
            long hedgeNanos = Math.max(200, config.latencyMillis / 4) * 1_000_000;
            requester.pump(from, Math.min(top, from + window.capacity() - 1), this::isWanted, loop.nanoTime(), hedgeNanos);
        }
    }

    // ---- periodic work ----

    private void tick() {
        if (finished) {
            return;
        }
        long now = loop.nanoTime();
        long stallMillis = Math.max(MIN_STALL_MILLIS, 2 * config.latencyMillis);
        for (LivePeer p : new ArrayList<>(peers)) {
            if (p.isReady()) {
                p.onTick(now, stallMillis);
            }
        }
        advance();
        if (finished) {
            return;
        }
        if (now - lastChunkNanos > config.noPeerTimeoutMillis * 1_000_000) {
            fail(DownloadException.UNREACHABLE, "live stream " + name + ": no new chunk for " + config.noPeerTimeoutMillis
                    + " ms (expected: the publisher or a relay to keep sending; has the publisher stopped?)");
            return;
        }
        if (peers.size() < config.maxPeers) {
            connectMore();
            if (peers.size() < config.maxPeers && config.peerAddresses.isEmpty() && !finished) {
                candidates.lookUpIfDue(tracker, loop, contentId, DownloadSession.LOOKUP_INTERVAL_MILLIS, this::connectMore);
            }
        }
        pump();
        listener.onTick();
        loop.schedule(TICK_MILLIS, this::tick);
    }

    private void fail(int status, String message) {
        if (!finished) {
            stop("live stream failed");
            listener.onFailed(status, message);
        }
    }
}
