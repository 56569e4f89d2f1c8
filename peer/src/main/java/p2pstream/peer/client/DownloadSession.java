package p2pstream.peer.client;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.Limits;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.Wire;
import p2pstream.peer.playback.PlaybackBuffer;
import p2pstream.peer.schedule.Scheduler;
import p2pstream.peer.store.Manifest;

/**
 * One stream being fetched: finds peers through the tracker, keeps up to K of them connected, asks the
 * {@link Scheduler} what to request from each, verifies every chunk against the manifest and hands good
 * ones to the {@link PlaybackBuffer}. Peers that fail, stall or lie are dropped and their chunks re-queued.
 * Everything here runs on the download's one loop thread, so none of it needs locks.
 */
final class DownloadSession {
    private static final Logger log = LoggerFactory.getLogger(DownloadSession.class);
    static final long TICK_MILLIS = 250;
    static final long LOOKUP_INTERVAL_MILLIS = 2_000;
    static final long MIN_STALL_MILLIS = 3_000;
    static final long PEER_PING_MILLIS = 15_000;
    static final long PEER_IDLE_MILLIS = 60_000;
    static final int LOOKUP_PEERS = 50;

    private final EventLoop loop;
    private final TrackerClient tracker;
    private final Download.Config config;
    private final DownloadListener listener;
    private final PeerId peerId = PeerId.random();
    private final ThreadLocal<MessageDigest> digests = ThreadLocal.withInitial(Manifest::sha256);
    private final java.util.concurrent.Executor verifier;
    /** Chunks whose copy is being hashed: a second copy arriving meanwhile is dropped. */
    private final java.util.BitSet verifying = new java.util.BitSet();
    private final List<PeerSession> peers = new ArrayList<>();
    private final ArrayDeque<InetSocketAddress> candidates = new ArrayDeque<>();
    private final Set<InetSocketAddress> banned = new HashSet<>();
    private final Map<InetSocketAddress, Long> retryAfterNanos = new HashMap<>();
    private final Map<String, Long> bytesByPeer = new LinkedHashMap<>();
    private final AtomicBoolean pumpPosted = new AtomicBoolean();
    private final long startNanos;
    private ContentId contentId;
    private String name;
    private Manifest manifest;
    private Scheduler scheduler;
    private PlaybackBuffer buffer;
    private int nextSlot;
    private int hashFailures;
    private long lastLookupNanos;
    private long lastPeerNanos;
    private boolean lookupInFlight;
    private boolean finished;

    /** What the session reports to the {@link Download} that runs it; called on the loop thread. */
    interface DownloadListener {
        /** The manifest is known and verified: time to start the player. */
        PlaybackBuffer onManifest(Manifest manifest);

        void onFailed(int exitStatus, String message);

        void onTick();
    }

    /**
     * @param verifier threads that check chunk hashes (a bounded pool: at most a window of chunks is queued)
     */
    DownloadSession(EventLoop loop, TrackerClient tracker, Download.Config config, DownloadListener listener,
                    java.util.concurrent.Executor verifier) {
        this.loop = loop;
        this.verifier = verifier;
        this.tracker = tracker;
        this.config = config;
        this.listener = listener;
        this.startNanos = loop.nanoTime();
        this.lastPeerNanos = startNanos;
    }

    // ---- queries (loop thread) ----

    PeerId peerId() {
        return peerId;
    }

    ContentId contentId() {
        return contentId;
    }

    String name() {
        return name;
    }

    Manifest manifest() {
        return manifest;
    }

    long nanoTime() {
        return loop.nanoTime();
    }

    int chunkCount() {
        return manifest.chunkCount();
    }

    int hashFailures() {
        return hashFailures;
    }

    int readyPeers() {
        int n = 0;
        for (PeerSession p : peers) {
            n += p.isReady() ? 1 : 0;
        }
        return n;
    }

    long verifiedBytes() {
        long n = 0;
        for (long b : bytesByPeer.values()) {
            n += b;
        }
        return n;
    }

    List<Stats.PeerBytes> peerBytes() {
        List<Stats.PeerBytes> list = new ArrayList<>();
        bytesByPeer.forEach((a, b) -> list.add(new Stats.PeerBytes(a, b)));
        return list;
    }

    // ---- lifecycle ----

    void start() {
        ContentId id = ContentId.parse(config.stream());
        Lookup lookup = id != null ? Lookup.byContentId(id, LOOKUP_PEERS) : Lookup.byName(config.stream(), LOOKUP_PEERS);
        lookupInFlight = true;
        lastLookupNanos = loop.nanoTime();
        tracker.lookup(lookup).whenComplete((peersFound, error) -> loop.execute(() -> onFirstLookup(peersFound, error)));
        loop.schedule(TICK_MILLIS, this::tick);
    }

    /** Stops everything: peers are closed, nothing more is requested. */
    void stop(String reason) {
        finished = true;
        for (PeerSession p : new ArrayList<>(peers)) {
            p.close(reason);
        }
    }

    /** The player moved the playhead; called from the player thread. */
    void onPlayheadMoved() {
        if (pumpPosted.compareAndSet(false, true)) {
            loop.execute(() -> {
                pumpPosted.set(false);
                scheduler.playhead(buffer.playhead());
                pumpAll();
            });
        }
    }

    private void onFirstLookup(Peers found, Throwable error) {
        lookupInFlight = false;
        if (finished) {
            return;
        }
        if (error != null) {
            fail(DownloadException.UNREACHABLE, rootMessage(error));
            return;
        }
        if (!found.found()) {
            fail(DownloadException.NOT_FOUND, "stream not found: " + config.stream() + " (the tracker knows no such name or content id)");
            return;
        }
        contentId = found.contentId();
        name = found.name();
        log.info("{} is {} ({} bytes): {} peers", config.stream(), contentId.shortHex(), found.size(), found.peers().size());
        addCandidates(found);
        connectMore();
    }

    private void addCandidates(Peers found) {
        if (found.contentId() == null || !found.contentId().equals(contentId)) {
            return;
        }
        for (Peers.Entry e : found.peers()) {
            InetSocketAddress a = e.address();
            if (!banned.contains(a) && !candidates.contains(a) && !isConnected(a)) {
                candidates.add(a);
            }
        }
    }

    private boolean isConnected(InetSocketAddress a) {
        for (PeerSession p : peers) {
            if (p.address.equals(a)) {
                return true;
            }
        }
        return false;
    }

    private void connectMore() {
        long now = loop.nanoTime();
        int tries = candidates.size();
        while (peers.size() < config.maxPeers() && tries-- > 0) {
            InetSocketAddress a = candidates.poll();
            Long retry = retryAfterNanos.get(a);
            if (retry != null && retry - now > 0) {
                candidates.add(a); // failed recently: later
                continue;
            }
            PeerSession p = new PeerSession(this, a, nextSlot++);
            peers.add(p);
            loop.connect(a, p, Limits.CONTROL.withMaxFrameBytes(Wire.MAX_PEER_FRAME_BYTES).withIdleTimeoutMillis(PEER_IDLE_MILLIS)
                    .withMaxFramesPerSecond(100_000));
        }
    }

    // ---- events from peers ----

    void onManifest(PeerSession peer, byte[] encoded) throws ProtocolException {
        if (manifest != null) {
            if (!Arrays.equals(encoded, manifest.encoded())) {
                throw ProtocolException.malformed("manifest: differs from the verified one (expected: content id " + contentId.shortHex() + ")");
            }
            return;
        }
        Manifest m = Manifest.decode(encoded, contentId);
        manifest = m;
        int window = Math.max(1, Math.min(config.windowChunks(), Math.max(1, m.chunkCount())));
        int urgent = Math.max(1, Math.min(window, Math.max(4, window / 8)));
        scheduler = new Scheduler(m.chunkCount(), window, urgent);
        buffer = listener.onManifest(m);
        log.info("{}: manifest verified from {}: {} chunks of {} bytes, window {}", name, peer, m.chunkCount(), m.chunkSize(), window);
    }

    void onPeerReady(PeerSession peer) {
        lastPeerNanos = loop.nanoTime();
        if (peer.held == null) {
            scheduler.addSeed();
        } else {
            for (int i = peer.held.nextSetBit(0); i >= 0; i = peer.held.nextSetBit(i + 1)) {
                scheduler.addHolder(i);
            }
        }
        bytesByPeer.putIfAbsent(peer.name, 0L);
        log.debug("{} ready ({})", peer, peer.held == null ? "holds all" : peer.held.cardinality() + " chunks");
        pump(peer);
    }

    void onHave(PeerSession peer, int index) {
        if (peer.held != null && !peer.held.get(index)) {
            peer.held.set(index);
            scheduler.addHolder(index);
            pump(peer);
        }
    }

    void onChunk(PeerSession peer, int index, ByteBuffer payload) throws ProtocolException {
        if (index >= manifest.chunkCount()) {
            throw new ProtocolException(ErrorCode.OUT_OF_RANGE, "chunk index: " + index + " (expected: < " + manifest.chunkCount() + ")");
        }
        Long askedAt = peer.outstanding.remove(index);
        if (askedAt == null) {
            if (peer.cancelled.get(index)) {
                peer.cancelled.clear(index); // crossed our CANCEL on the wire
                return;
            }
            throw new ProtocolException(ErrorCode.UNEXPECTED, "chunk: " + index + " (expected: a requested chunk)");
        }
        int expected = manifest.chunkLength(index);
        if (payload.remaining() != expected) {
            throw ProtocolException.malformed("chunk " + index + " length: " + payload.remaining() + " (expected: " + expected + ")");
        }
        if (scheduler.isDone(index) || verifying.get(index)) {
            return; // a duplicate that lost the race
        }
        verifying.set(index);
        // hashing is the costliest step of a download: it runs on the verifier pool, the loop keeps reading
        ByteBuffer copy = buffer.acquire();
        copy.put(payload).flip();
        verifier.execute(() -> {
            boolean good = verify(index, copy);
            loop.execute(() -> onVerified(peer, index, copy, good));
        });
    }

    /** On a verifier thread: whether the chunk's SHA-256 is the manifest's. */
    private boolean verify(int index, ByteBuffer chunk) {
        MessageDigest digest = digests.get();
        digest.update(chunk.duplicate());
        byte[] hash = digest.digest();
        return manifest.matches(index, hash);
    }

    private void onVerified(PeerSession peer, int index, ByteBuffer chunk, boolean good) {
        verifying.clear(index);
        if (finished) {
            buffer.recycle(chunk);
            return;
        }
        if (!good) {
            buffer.recycle(chunk);
            hashFailures++;
            scheduler.unrequested(index);
            if (banned.add(peer.address)) {
                log.warn("{} sent chunk {} with a bad SHA-256: dropping it for this session", peer, index);
            }
            peer.close("bad chunk " + index + ": SHA-256 mismatch");
            pumpAll();
            return;
        }
        if (!scheduler.completed(index)) {
            buffer.recycle(chunk); // another copy won
            return;
        }
        int length = chunk.remaining();
        buffer.offer(index, chunk);
        peer.verifiedBytes += length;
        bytesByPeer.merge(peer.name, (long) length, Long::sum);
        cancelDuplicates(index, peer);
        pump(peer);
    }

    void onReject(PeerSession peer, int index, Reject.Reason reason) throws ProtocolException {
        if (peer.outstanding.remove(index) == null) {
            if (peer.cancelled.get(index)) {
                peer.cancelled.clear(index);
                return;
            }
            throw new ProtocolException(ErrorCode.UNEXPECTED, "reject: " + index + " (expected: a requested chunk)");
        }
        scheduler.unrequested(index);
        if (reason != Reject.Reason.OVERLOADED && peer.holds(index)) {
            if (peer.held == null) {
                peer.held = new java.util.BitSet();
                peer.held.set(0, manifest.chunkCount());
                scheduler.removeSeed();
                for (int i = 0; i < manifest.chunkCount(); i++) {
                    scheduler.addHolder(i);
                }
            }
            peer.held.clear(index);
            scheduler.removeHolder(single(index));
        }
        log.debug("{} rejected chunk {}: {}", peer, index, reason);
        pumpAll();
    }

    void onPeerClosed(PeerSession peer, PeerSession.Phase was, String reason) {
        peers.remove(peer);
        if (manifest != null && was == PeerSession.Phase.READY) {
            for (int index : peer.outstanding.keySet()) {
                scheduler.unrequested(index);
            }
            if (peer.held == null) {
                scheduler.removeSeed();
            } else {
                scheduler.removeHolder(peer.held);
            }
        }
        peer.outstanding.clear();
        if (finished) {
            return;
        }
        if (was == PeerSession.Phase.READY) {
            log.info("{} left: {}", peer, reason);
        } else {
            log.info("{} not usable: {}", peer, reason);
        }
        if (!banned.contains(peer.address)) {
            retryAfterNanos.put(peer.address, loop.nanoTime() + LOOKUP_INTERVAL_MILLIS * 1_000_000);
        }
        connectMore();
        pumpAll();
    }

    // ---- requesting ----

    private void pumpAll() {
        if (scheduler == null || finished) {
            return;
        }
        for (PeerSession p : peers) {
            pump(p);
        }
    }

    private void pump(PeerSession peer) {
        if (finished || !peer.isReady() || scheduler == null) {
            return;
        }
        int depth = Scheduler.pipelineDepth(peer.bytesPerSecond, manifest.chunkSize());
        while (peer.outstanding.size() < depth) {
            int index = scheduler.next(peer.held);
            if (index == Scheduler.NONE) {
                index = scheduler.duplicate(peer.held, peer.slot, this::ownerOf, this::etaNanos);
                if (index == Scheduler.NONE) {
                    return;
                }
                log.debug("{} asked for chunk {} again: its first peer is too slow", peer, index);
            }
            scheduler.requested(index);
            peer.outstanding.put(index, loop.nanoTime());
            peer.cancelled.clear(index);
            peer.send(IndexMessage.request(index));
        }
    }

    /** The slot of a peer that has chunk {@code index} outstanding, or -1. */
    private int ownerOf(int index) {
        for (PeerSession p : peers) {
            if (p.outstanding.containsKey(index)) {
                return p.slot;
            }
        }
        return -1;
    }

    /** Expected nanoseconds until peer {@code slot} delivers chunk {@code index}, judged by its rate and queue. */
    private long etaNanos(int index, int slot) {
        for (PeerSession p : peers) {
            if (p.slot != slot) {
                continue;
            }
            double rate = p.bytesPerSecond > 0 ? p.bytesPerSecond : manifest.chunkSize(); // unmeasured: assume slow
            int ahead = 0;
            long askedAt = -1;
            for (Map.Entry<Integer, Long> e : p.outstanding.entrySet()) {
                ahead++;
                if (e.getKey() == index) {
                    askedAt = e.getValue();
                    break;
                }
            }
            if (askedAt < 0) {
                ahead = p.outstanding.size() + 1; // if asked now
            }
            long eta = (long) (ahead * (double) manifest.chunkSize() / rate * 1e9);
            if (askedAt >= 0) {
                eta -= loop.nanoTime() - askedAt;
                eta = Math.max(eta, 0);
            }
            return eta;
        }
        return Long.MAX_VALUE / 4;
    }

    private void cancelDuplicates(int index, PeerSession winner) {
        for (PeerSession p : peers) {
            if (p != winner && p.outstanding.remove(index) != null) {
                scheduler.unrequested(index);
                p.cancelled.set(index);
                p.send(IndexMessage.cancel(index));
            }
        }
    }

    // ---- periodic work ----

    private void tick() {
        if (finished) {
            return;
        }
        long now = loop.nanoTime();
        double seconds = TICK_MILLIS / 1000.0;
        for (PeerSession p : new ArrayList<>(peers)) {
            if (!p.isReady()) {
                continue;
            }
            if (!p.outstanding.isEmpty()) {
                double sample = p.bytesThisTick / seconds;
                p.bytesPerSecond = p.bytesPerSecond == 0 ? sample : 0.7 * p.bytesPerSecond + 0.3 * sample;
                long stallMillis = Scheduler.stallTimeoutMillis(p.bytesPerSecond, manifest.chunkSize(), MIN_STALL_MILLIS);
                if (now - p.lastByteNanos > stallMillis * 1_000_000) {
                    log.warn("{} stalled: nothing for {} ms with {} chunks owed", p, (now - p.lastByteNanos) / 1_000_000, p.outstanding.size());
                    p.close("stalled");
                    continue;
                }
            }
            p.bytesThisTick = 0;
            if (now - p.lastSentNanos > PEER_PING_MILLIS * 1_000_000) {
                p.lastSentNanos = now;
                p.connection.send(EmptyMessage.PING);
            }
        }
        if (readyPeers() > 0) {
            lastPeerNanos = now;
        }
        if (peers.size() < config.maxPeers()) {
            connectMore();
            if (peers.size() < config.maxPeers() && !lookupInFlight && contentId != null
                    && now - lastLookupNanos > LOOKUP_INTERVAL_MILLIS * 1_000_000) {
                relookup();
            }
        }
        if (readyPeers() == 0 && now - lastPeerNanos > config.noPeerTimeoutMillis() * 1_000_000) {
            fail(DownloadException.UNREACHABLE, "no reachable peer for " + (contentId == null ? config.stream() : name)
                    + " in " + config.noPeerTimeoutMillis() + " ms (banned: " + banned.size() + ")");
            return;
        }
        pumpAll();
        listener.onTick();
        loop.schedule(TICK_MILLIS, this::tick);
    }

    private void relookup() {
        lookupInFlight = true;
        lastLookupNanos = loop.nanoTime();
        tracker.lookup(Lookup.byContentId(contentId, LOOKUP_PEERS)).whenComplete((found, error) -> loop.execute(() -> {
            lookupInFlight = false;
            if (error == null && !finished) {
                addCandidates(found);
                connectMore();
            } else if (error != null) {
                log.debug("lookup failed: {}", rootMessage(error));
            }
        }));
    }

    private void fail(int status, String message) {
        if (finished) {
            return;
        }
        stop("download failed");
        listener.onFailed(status, message);
    }

    private static java.util.BitSet single(int index) {
        java.util.BitSet b = new java.util.BitSet();
        b.set(index);
        return b;
    }

    static String rootMessage(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
