package p2pstream.peer.client;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
import p2pstream.peer.playback.LivePlayer;
import p2pstream.peer.server.Catalog;
import p2pstream.peer.server.Holding;
import p2pstream.peer.server.LiveHolding;
import p2pstream.peer.server.ServerSession;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;
import p2pstream.peer.store.Manifest;

/**
 * One live stream being watched: keeps up to K peers, joins near the live edge, fetches each announced chunk
 * from a viewer that holds it when one does (the publisher otherwise), verifies every chunk's signature before
 * keeping, relaying or playing it, and hands chunks in order to the {@link LivePlayer}. A chunk that misses its
 * moment (a later one has waited longer than the latency) is skipped, never waited for forever. Policy is in
 * docs/SCHEDULING.md. Everything runs on the download's one loop thread.
 */
final class LiveSession implements Catalog {
    private static final Logger log = LoggerFactory.getLogger(LiveSession.class);
    static final long TICK_MILLIS = 100;
    /** Requests outstanding per peer: live chunks are small and due soon, a short pipeline is enough. */
    static final int MAX_PIPELINE = 8;
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
    }

    private final EventLoop loop;
    private final Download.Config config;
    private final Listener listener;
    private final PeerId peerId;
    private final TrackerClient tracker;
    private final int listenPort;
    private final Executor verifier;
    private final LivePlayer player;
    private final LiveJoin join;
    private final Traffic traffic = new Traffic();
    private final Candidates candidates = new Candidates(DownloadSession.RETRY_DELAY_MILLIS);
    private final List<LivePeer> peers = new ArrayList<>();
    private final Map<Integer, Integer> inFlight = new HashMap<>();
    private final Set<Integer> verifying = new HashSet<>();
    private final ContentId contentId;
    private final String name;
    private LiveManifest manifest;
    private LiveWindow window;
    private LiveHolding holding;
    private LiveEnd end;
    private long endSeenNanos;
    private int playhead = -1;
    /** The next chunk out does not follow what was written (a late start, a skip). */
    private boolean resyncNext;
    private boolean pumpPosted;
    private boolean finished;
    private boolean announced;
    private long lookupNanos;
    private boolean lookupInFlight;
    private long lastChunkNanos;
    private int skipped;
    private int fromPublisher;
    private int fromViewers;
    private int signatureFailures;

    LiveSession(EventLoop loop, Download.Config config, Listener listener, PeerId peerId, TrackerClient tracker, int listenPort,
                Executor verifier, LivePlayer player, Peers found) {
        this.loop = loop;
        this.config = config;
        this.listener = listener;
        this.peerId = peerId;
        this.tracker = tracker;
        this.listenPort = listenPort;
        this.verifier = verifier;
        this.player = player;
        this.contentId = found.contentId();
        this.name = found.name();
        this.join = new LiveJoin(config.latencyMillis);
        this.lastChunkNanos = loop.nanoTime();
        this.lookupNanos = loop.nanoTime();
        if (config.peerAddresses.isEmpty()) {
            addCandidates(found);
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

    // ---- serving (relaying) ----

    @Override
    public Holding holding(ContentId id) {
        return holding != null && id.equals(contentId) ? holding : null;
    }

    @Override
    public PeerId peerId() {
        return peerId;
    }

    @Override
    public int listenPort() {
        return listenPort;
    }

    @Override
    public Role role() {
        return Role.CLIENT; // a viewer: other viewers prefer it to the origin
    }

    ServerSession newServerSession() {
        return traffic.newServerSession(this);
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

    Stats.Live figures() {
        return new Stats.Live(-1, -1, -1, 0, 0, skipped, fromPublisher, fromViewers, join.backlog(), end != null, 0);
    }

    int signatureFailures() {
        return signatureFailures;
    }

    long uploadedBytes() {
        return traffic.uploadedBytes();
    }

    List<Stats.PeerBytes> peerBytes() {
        return traffic.peerBytes();
    }

    // ---- peers ----

    private void addCandidates(Peers found) {
        if (contentId.equals(found.contentId())) {
            for (Peers.Entry e : found.peers()) {
                candidates.add(e.address());
            }
        }
    }

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
        log.info("{}: live manifest verified from {}: chunks up to {} bytes, window {}", name, peer, manifest.chunkSize(), config.windowChunks);
    }

    void onPeerReady(LivePeer peer) {
        traffic.peerReady(peer.name);
        log.debug("{} ready ({})", peer, peer.publisher ? "publisher" : "viewer");
    }

    void onHave(LivePeer peer, int index) {
        schedulePump();
    }

    void onReject(LivePeer peer, int index) throws ProtocolException {
        if (peer.outstanding.remove(index) == null) {
            if (peer.cancelled.contains(index)) {
                peer.cancelled.remove(index);
                return;
            }
            throw new ProtocolException(ErrorCode.UNEXPECTED, "reject: " + index + " (expected: a requested chunk)");
        }
        landed(index);
        peer.held.remove(index); // gone from its window, or never there
        schedulePump();
    }

    void onPeerClosed(LivePeer peer, LivePeer.Phase was, String reason) {
        peers.remove(peer);
        for (int index : peer.outstanding.keySet()) {
            landed(index);
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
        landed(index);
        if (payload.remaining() > manifest.chunkSize()) {
            throw ProtocolException.malformed("live chunk " + index + " length: " + payload.remaining() + " (expected: <= " + manifest.chunkSize() + ")");
        }
        if (window.holds(index) || verifying.contains(index)) {
            return; // the other copy won or is being checked
        }
        verifying.add(index);
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
        copy.put(payload).flip();
        LiveManifest m = manifest;
        verifier.execute(() -> {
            boolean good = m.verifiesChunk(index, header.publishMicros(), Manifest.sha256().digest(copy.array()), header.signature());
            loop.execute(() -> onVerified(peer, new LiveChunk(header, copy), good));
        });
    }

    private void onVerified(LivePeer peer, LiveChunk chunk, boolean good) {
        int index = chunk.index();
        verifying.remove(index);
        if (finished) {
            return;
        }
        if (!good) {
            drop(peer, "live chunk " + index + ": signature does not verify");
            return;
        }
        long delayMicros = System.currentTimeMillis() * 1000 - chunk.publishMicros();
        if (delayMicros > Math.max(MAX_CHUNK_AGE_MILLIS, 10 * config.latencyMillis) * 1000) {
            drop(peer, "live chunk " + index + ": published " + delayMicros / 1000 + " ms ago (a replay)");
            return;
        }
        if (!inOrderOfTime(chunk)) {
            drop(peer, "live chunk " + index + ": published " + chunk.publishMicros() + " out of order with its neighbours (a replay)");
            return;
        }
        join.onArrival(delayMicros);
        window.add(chunk); // relayed from here: the holding tells those we serve
        if (peer.publisher) {
            fromPublisher++;
        } else {
            fromViewers++;
        }
        traffic.received(peer.name, chunk.length());
        lastChunkNanos = loop.nanoTime();
        for (LivePeer p : peers) {
            if (p != peer && p.outstanding.containsKey(index)) {
                p.cancel(index);
                landed(index);
            }
        }
        if (!announced && listenPort != 0) {
            announced = true;
            tracker.announce(new Announce(contentId, name, -1, manifest.chunkSize(), 0, 0));
        }
        advance();
        schedulePump();
    }

    /** A validly signed chunk published before its predecessor or after its successor is an old one replayed. */
    private boolean inOrderOfTime(LiveChunk chunk) {
        int index = chunk.index();
        int floor = Math.max(0, window.newest() - window.capacity() + 1);
        for (int i = index - 1; i >= floor; i--) {
            LiveChunk before = window.get(i);
            if (before != null) {
                if (before.publishMicros() > chunk.publishMicros()) {
                    return false;
                }
                break;
            }
        }
        for (int i = index + 1; i <= window.newest(); i++) {
            LiveChunk after = window.get(i);
            if (after != null) {
                return after.publishMicros() >= chunk.publishMicros();
            }
        }
        return end == null || end.endMicros() >= chunk.publishMicros();
    }

    void onEnd(LivePeer peer, LiveEnd e) throws ProtocolException {
        if (end != null || manifest == null) {
            return;
        }
        if (!manifest.verifiesEnd(e.chunkCount(), e.endMicros(), e.signature())) {
            drop(peer, "live end: signature does not verify");
            return;
        }
        LiveChunk newest = window.newest() < 0 ? null : window.get(window.newest());
        if (newest != null && (e.chunkCount() <= newest.index() || e.endMicros() < newest.publishMicros())) {
            drop(peer, "live end after " + e.chunkCount() + " chunks: older than chunk " + newest.index() + " (a replay)");
            return;
        }
        end = e;
        endSeenNanos = loop.nanoTime();
        window.end(e);
        log.info("{}: the publisher ended the stream after {} chunks", name, e.chunkCount());
        advance();
    }

    private void drop(LivePeer peer, String why) {
        signatureFailures++;
        if (candidates.ban(peer.address)) {
            log.warn("{} sent {}: dropping it for this session", peer, why);
        }
        peer.close(why);
        schedulePump();
    }

    /** One request for {@code index} ended (delivered, rejected, cancelled or lost with its peer). */
    private void landed(int index) {
        inFlight.computeIfPresent(index, (k, n) -> n > 1 ? n - 1 : null);
    }

    // ---- output ----

    /** Hands every chunk in order to the player, skipping those that missed their moment; ends after the end. */
    private void advance() {
        if (playhead < 0) {
            playhead = join.start(window, peers);
            if (playhead < 0) {
                return;
            }
            log.info("{}: joined at chunk {} ({} chunks of backlog)", name, playhead, join.backlog());
            resyncNext = playhead > 0;
        }
        while (!finished) {
            if (end != null && playhead >= end.chunkCount()) {
                finish();
                return;
            }
            LiveChunk c = window.get(playhead);
            if (c != null) {
                if (player.offer(c, playhead > join.anchor(), resyncNext)) {
                    resyncNext = false;
                } else {
                    skipped++; // the output is that far behind: a live stream does not wait for it
                    resyncNext = true;
                }
                playhead++;
            } else if (missedMoment(playhead)) {
                skipped++;
                resyncNext = true;
                log.debug("{}: skipped chunk {}", name, playhead);
                playhead++;
            } else {
                return;
            }
        }
    }

    /** A later chunk has waited longer than the latency, or the stream ended that long ago: waiting is over. */
    private boolean missedMoment(int index) {
        if (end != null && loop.nanoTime() - endSeenNanos > config.latencyMillis * 1_000_000) {
            return true;
        }
        for (int i = index + 1; i <= window.newest(); i++) {
            LiveChunk later = window.get(i);
            if (later != null && join.ageMillis(later) > config.latencyMillis) {
                return true;
            }
        }
        return false;
    }

    private void finish() {
        finished = true;
        player.finish();
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
            if (p.isReady()) {
                top = Math.max(top, p.held.top());
            }
        }
        int from = playhead >= 0 ? playhead : join.from(top);
        if (from < 0) {
            return;
        }
        int to = Math.min(top, from + window.capacity() - 1);
        long now = loop.nanoTime();
        long hedgeNanos = Math.max(200, config.latencyMillis / 4) * 1_000_000;
        for (int i = from; i <= to; i++) {
            if (!isWanted(i)) {
                continue;
            }
            int copies = inFlight.getOrDefault(i, 0);
            if (copies == 0 || (copies == 1 && overdue(i, now, hedgeNanos))) {
                LivePeer p = pick(i);
                if (p != null) {
                    p.request(i, now);
                    inFlight.merge(i, 1, Integer::sum);
                }
            }
        }
    }

    private boolean overdue(int index, long now, long hedgeNanos) {
        for (LivePeer p : peers) {
            Long asked = p.outstanding.get(index);
            if (asked != null && now - asked > hedgeNanos) {
                return true;
            }
        }
        return false;
    }

    /** A viewer that holds the chunk and has room, least loaded first; the publisher only when no viewer can. */
    private LivePeer pick(int index) {
        LivePeer best = null;
        for (LivePeer p : peers) {
            if (!p.isReady() || !p.held.contains(index) || p.outstanding.size() >= MAX_PIPELINE || p.outstanding.containsKey(index)) {
                continue;
            }
            if (best == null || (best.publisher && !p.publisher)
                    || (best.publisher == p.publisher && p.outstanding.size() < best.outstanding.size())) {
                best = p;
            }
        }
        return best;
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
            if (peers.size() < config.maxPeers && config.peerAddresses.isEmpty() && !lookupInFlight
                    && now - lookupNanos > DownloadSession.LOOKUP_INTERVAL_MILLIS * 1_000_000) {
                relookup(now);
            }
        }
        pump();
        loop.schedule(TICK_MILLIS, this::tick);
    }

    private void relookup(long now) {
        lookupInFlight = true;
        lookupNanos = now;
        tracker.lookup(Lookup.byContentId(contentId, DownloadSession.LOOKUP_PEERS)).whenComplete((found, error) -> loop.execute(() -> {
            lookupInFlight = false;
            if (error == null && !finished) {
                addCandidates(found);
                connectMore();
            }
        }));
    }

    private void fail(int status, String message) {
        if (!finished) {
            stop("live stream failed");
            listener.onFailed(status, message);
        }
    }
}
