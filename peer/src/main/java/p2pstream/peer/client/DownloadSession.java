package p2pstream.peer.client;

import p2pstream.peer.tracker.TrackerClient;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.Limits;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.Wire;
import p2pstream.peer.playback.PlaybackBuffer;
import p2pstream.peer.schedule.Scheduler;
import p2pstream.peer.store.ChunkStore;
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
    static final long RETRY_DELAY_MILLIS = 2_000;
    static final long PEER_IDLE_MILLIS = 60_000;
    static final int LOOKUP_PEERS = 50;
    /** Peers send chunk frames (up to the largest chunk) and answer many requests a second. */
    static final Limits PEER_LIMITS = Limits.CONTROL.withMaxFrameBytes(Wire.MAX_PEER_FRAME_BYTES)
            .withIdleTimeoutMillis(PEER_IDLE_MILLIS).withMaxFramesPerSecond(100_000);

    static final long ANNOUNCE_INTERVAL_MILLIS = 2_000;

    private final EventLoop loop;
    private TrackerClient tracker;
    private final Download.Config config;
    private final DownloadListener listener;
    private final ViewerCatalog catalog;

    private ViewerHolding holding;
    private final ChunkVerifier verifier;
    private Resume resume;
    /** Chunks whose copy is being hashed: a second copy arriving meanwhile is dropped. */
    private final BitSet verifying = new BitSet();
    private final List<PeerSession> peers = new ArrayList<>();
    private final Candidates candidates = new Candidates(RETRY_DELAY_MILLIS);

    private final AtomicBoolean pumpPosted = new AtomicBoolean();
    private final long startNanos;
    private ContentId contentId;
    private String name;
    private Manifest manifest;
    private Scheduler scheduler;
    private Requester requester;
    private PlaybackBuffer buffer;
    private int nextSlot;
    private int hashFailures;
    /** Bytes fetched from peers and verified: what the rate on the progress line measures. */
    private long fetchedBytes;
    private long lastPeerNanos;
    private int lastDoneCount = -1;
    private long lastProgressNanos;
    private boolean finished;

    /** Where verified chunks go: the player's buffer, and the store they are served from (null: none). */
    record Output(PlaybackBuffer buffer, ChunkStore store) {
    }

    /** What the session reports to the {@link DownloadRun} that runs it; called on the loop thread. */
    interface DownloadListener {
        /** The manifest is known and verified: time to open the store and start the player. */
        Output onManifest(Manifest manifest) throws IOException;

        /** The tracker says the stream is live: a {@link LiveSession} takes over from here. */
        void onLive(Peers found);

        void onFailed(int exitStatus, String message);

        void onTick();
    }

    /**
     * @param verifier threads that check chunk hashes (a bounded pool: at most a window of chunks is queued)
     */
    DownloadSession(EventLoop loop, Download.Config config, DownloadListener listener,
                    java.util.concurrent.Executor verifier, ViewerCatalog catalog) {
        this.loop = loop;
        this.catalog = catalog;
        this.verifier = new ChunkVerifier(verifier, loop);
        this.config = config;
        this.listener = listener;
        this.startNanos = loop.nanoTime();
        this.lastPeerNanos = startNanos;
    }

    /** Connects the session to its tracker. Before {@link #start}. */
    void attach(TrackerClient tracker) {
        this.tracker = tracker;
    }

    // ---- serving (what is served comes from the catalog; loop thread) ----

    PeerId peerId() {
        return catalog.peerId();
    }

    int listenPort() {
        return catalog.listenPort();
    }

    /** Bytes sent to the peers this viewer served. */
    long uploadedBytes() {
        return catalog.traffic().uploadedBytes();
    }

    /** Bytes in place from the output's position on, without a gap: the player's buffer. */
    long bufferedBytes() {
        return buffer == null ? 0 : (long) buffer.contiguous() * manifest.chunkSize();
    }

    /** Bytes fetched from peers and verified so far. */
    long fetchedBytes() {
        return fetchedBytes;
    }

    /** Bytes verified and stored: fetched, or kept from an earlier run. */
    long inPlaceBytes() {
        return fetchedBytes + resumedBytes();
    }

    /** Stored chunks of an earlier run checked so far (resume). */
    int storedChunksChecked() {
        return resume == null ? 0 : resume.checkedChunks();
    }

    /** Stored chunks of an earlier run to check in all (resume); 0 without a record. */
    int storedChunksRecorded() {
        return resume == null ? 0 : resume.recordedChunks();
    }

    private void announceProgress() {
        if (holding != null && catalog.listenPort() != 0 && tracker != null) {
            holding.announceIfDue(tracker, loop.nanoTime());
        }
    }

    // ---- queries (loop thread) ----

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

    /** Connection attempts to peers so far. */
    long connectionAttempts() {
        return candidates.attempts();
    }

    int readyPeers() {
        int n = 0;
        for (PeerSession p : peers) {
            n += p.isReady() ? 1 : 0;
        }
        return n;
    }

    /** Per peer (by the address it serves on): verified bytes received, bytes sent. */
    List<Stats.PeerBytes> peerBytes() {
        return catalog.traffic().peerBytes();
    }

    // ---- lifecycle ----

    void start() {
        ContentId id = ContentId.parse(config.stream());
        if (tracker == null) {
            startWithoutTracker(id);
            return;
        }
        Lookup lookup = id != null ? Lookup.byContentId(id, LOOKUP_PEERS) : Lookup.byName(config.stream(), LOOKUP_PEERS);
        candidates.lookedUp(loop.nanoTime());
        tracker.lookup(lookup).whenComplete((peersFound, error) -> loop.execute(() -> onFirstLookup(peersFound, error)));
        loop.schedule(TICK_MILLIS, this::tick);
    }

    /** --peer with a content id: the manifest the peers send is checked against it, no tracker is asked. */
    private void startWithoutTracker(ContentId id) {
        contentId = id;
        config.peerAddresses.forEach(candidates::add);
        loop.schedule(TICK_MILLIS, this::tick);
        connectMore();
    }

    /** Stops everything: peers are closed, nothing more is requested. */
    void stop(String reason) {
        finished = true;
        if (resume != null) {
            resume.stop();
        }
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
                if (resume != null) {
                    resume.feed();
                }
                pumpAll();
            });
        }
    }

    private void onFirstLookup(Peers found, Throwable error) {
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
        ContentId asked = ContentId.parse(config.stream());
        if (asked != null && !asked.equals(found.contentId())) {
            // a content id the user typed is a promise: a tracker offering other bytes is lying or wrong
            fail(DownloadException.MISMATCH, "content id: " + found.contentId().hex() + " offered by the tracker"
                    + " (expected: " + asked.hex() + ", the content id asked for)");
            return;
        }
        contentId = found.contentId();
        name = found.name();
        if (found.size() < 0) {
            finished = true;
            listener.onLive(found);
            return;
        }
        log.info("{} is {} ({} bytes): {} peers", config.stream(), contentId.shortHex(), found.size(), found.peers().size());
        if (config.peerAddresses.isEmpty()) {
            candidates.addAll(found, contentId);
        } else {
            config.peerAddresses.forEach(candidates::add);
        }
        connectMore();
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
        while (peers.size() < config.maxPeers()) {
            InetSocketAddress a = candidates.next(now, this::isConnected);
            if (a == null) {
                return;
            }
            PeerSession p = new PeerSession(this, a, nextSlot++);
            peers.add(p);
            p.connection = loop.connect(a, p, PEER_LIMITS);
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
        name = name == null ? m.name() : name; // no tracker named it (--peer with a content id)
        int window = Math.max(1, Math.min(config.windowChunks(), Math.max(1, m.chunkCount())));
        // paced, the urgent part is what the player needs within its start-up buffer's worth of time
        long pacedChunks = config.rateBytesPerSecond <= 0 ? 0
                : (long) Math.ceil(config.rateBytesPerSecond * (config.bufferMillis / 1000.0) / m.chunkSize());
        int urgent = (int) Math.max(1, Math.min(window, Math.max(Math.max(4, window / 8), pacedChunks)));
        scheduler = new Scheduler(m.chunkCount(), window, urgent);
        requester = new Requester(scheduler, peers, loop, m.chunkSize());
        Output output;
        try {
            output = listener.onManifest(m);
        } catch (IOException e) {
            fail(DownloadException.FAILED, "output: " + e.getMessage());
            return;
        }
        buffer = output.buffer();
        scheduler.playhead(buffer.playhead());
        if (output.store() != null) {
            holding = new ViewerHolding(output.store());
            catalog.serve(contentId, holding);
            resume = new Resume(m, scheduler, buffer, holding, verifier, new Resume.Listener() {
                @Override
                public void onStoredChunk(int index, boolean good) {
                    if (good) {
                        announceProgress();
                    }
                    pumpAll();
                }

                @Override
                public void onResumeFailed(String message) {
                    fail(DownloadException.FAILED, message);
                }
            });
            resume.start();
            listener.onTick(); // the progress line says at once that stored chunks are being checked: it can take seconds
        }
        log.info("{}: manifest verified from {}: {} chunks of {} bytes, window {}", name, peer, m.chunkCount(), m.chunkSize(), window);
    }

    void onPeerReady(PeerSession peer) {
        lastPeerNanos = loop.nanoTime();
        if (peer.held == null) {
            scheduler.addSeed();
        } else {
            scheduler.addViewer();
            for (int i = peer.held.nextSetBit(0); i >= 0; i = peer.held.nextSetBit(i + 1)) {
                scheduler.addHolder(i);
            }
        }
        catalog.traffic().peerReady(peer.name);
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
                peer.markDelivery(loop.nanoTime());
                return;
            }
            throw new ProtocolException(ErrorCode.UNEXPECTED, "chunk: " + index + " (expected: a requested chunk)");
        }
        peer.markDelivery(loop.nanoTime());
        int expected = manifest.chunkLength(index);
        if (payload.remaining() != expected) {
            throw ProtocolException.malformed("chunk " + index + " length: " + payload.remaining() + " (expected: " + expected + ")");
        }
        if (scheduler.isDone(index)) {
            return; // a duplicate that lost the race
        }
        if (verifying.get(index)) {
            // the other copy is being checked; if it fails, this request must not linger in the count
            scheduler.unrequested(index);
            return;
        }
        verifying.set(index);
        ByteBuffer copy = buffer.acquire();
        copy.put(payload).flip();
        verifier.submit(manifest, index, copy, holding == null ? null : holding.store(),
                verdict -> onVerified(peer, index, copy, verdict));
    }

    private void onVerified(PeerSession peer, int index, ByteBuffer chunk, ChunkVerifier.Verdict verdict) {
        verifying.clear(index);
        if (finished) {
            buffer.recycle(chunk);
            return;
        }
        if (verdict.writeError() != null) {
            buffer.recycle(chunk);
            fail(DownloadException.FAILED, "output: " + verdict.writeError());
            return;
        }
        if (!verdict.good()) {
            buffer.recycle(chunk);
            hashFailures++;
            scheduler.unrequested(index);
            if (candidates.ban(peer.address)) {
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
        fetchedBytes += length;
        buffer.offer(index, chunk);
        if (holding != null) {
            holding.add(index);
            announceProgress();
        }
        catalog.traffic().received(peer.name, length);
        candidates.delivered(peer.address);
        requester.cancelDuplicates(index, peer);
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
        peer.markDelivery(loop.nanoTime());
        scheduler.unrequested(index);
        if (reason != Reject.Reason.OVERLOADED && peer.holds(index)) {
            notHeld(peer, index);
        }
        log.debug("{} rejected chunk {}: {}", peer, index, reason);
        pumpAll();
    }

    void onPeerClosed(PeerSession peer, PeerSession.Phase was, String reason) {
        peers.remove(peer);
        if (was == PeerSession.Phase.AWAIT_HELLO && peer.spokeAnotherProtocol(reason) && candidates.ban(peer.address)) {
            log.info("{} does not speak p2pstream ({}): not tried again", peer, reason);
        }
        if (manifest != null && was == PeerSession.Phase.READY) {
            for (int index : peer.outstanding.keySet()) {
                scheduler.unrequested(index);
            }
            if (peer.held == null) {
                scheduler.removeSeed();
            } else {
                scheduler.removeViewer();
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
        candidates.failed(peer.address, loop.nanoTime());
        connectMore();
        pumpAll();
    }

    long resumedBytes() {
        return resume == null ? 0 : resume.resumedBytes();
    }

    // ---- requesting ----

    private void pumpAll() {
        if (requester != null && !finished) {
            requester.pumpAll();
        }
    }

    private void pump(PeerSession peer) {
        if (requester != null && !finished) {
            requester.pump(peer);
        }
    }

    /** A peer said it lacks a chunk: a seed becomes a partial holder of everything else. */
    private void notHeld(PeerSession peer, int index) {
        if (peer.held == null) {
            peer.held = new BitSet();
            peer.held.set(0, manifest.chunkCount());
            scheduler.removeSeed();
            scheduler.addViewer();
            for (int i = 0; i < manifest.chunkCount(); i++) {
                scheduler.addHolder(i);
            }
        }
        peer.held.clear(index);
        BitSet one = new BitSet();
        one.set(index);
        scheduler.removeHolder(one);
    }

    // ---- periodic work ----

    private void tick() {
        if (finished) {
            return;
        }
        long now = loop.nanoTime();
        double seconds = TICK_MILLIS / 1000.0;
        for (PeerSession p : new ArrayList<>(peers)) {
            if (p.isReady()) {
                p.onTick(now, seconds, manifest.chunkSize());
            } else if (p.handshakeOverdue(now)) {
                p.close("no handshake within " + PeerSession.HANDSHAKE_TIMEOUT_MILLIS + " ms");
            }
        }
        if (readyPeers() > 0 && (scheduler == null || progressedSince(lastProgressNanos))) {
            lastPeerNanos = now;
        }
        if (peers.size() < config.maxPeers()) {
            connectMore();
            if (peers.size() < config.maxPeers() && contentId != null && config.peerAddresses.isEmpty()) {
                candidates.lookUpIfDue(tracker, loop, contentId, LOOKUP_INTERVAL_MILLIS, () -> {
                    if (!finished) {
                        connectMore();
                    }
                });
            }
        }
        if (now - lastPeerNanos > config.noPeerTimeoutMillis() * 1_000_000) {
            // no usable peer, or peers that deliver nothing: either way the stream cannot go on
            fail(DownloadException.UNREACHABLE, "no peer delivered " + (contentId == null ? config.stream() : name)
                    + " for " + config.noPeerTimeoutMillis() + " ms (expected: a reachable peer holding the missing chunks;"
                    + " banned: " + candidates.bannedCount() + ")");
            return;
        }
        pumpAll();
        listener.onTick();
        loop.schedule(TICK_MILLIS, this::tick);
    }

    /** True when a chunk was verified (or the stream finished) since the last check; moves the mark. */
    private boolean progressedSince(long mark) {
        int done = scheduler.doneCount();
        // nothing missing in the window (a paced player is behind): waiting is not a lack of peers
        boolean progressed = done != lastDoneCount || scheduler.isComplete() || !scheduler.missingInWindow();
        lastDoneCount = done;
        lastProgressNanos = loop.nanoTime();
        return progressed || mark == 0;
    }

    private void fail(int status, String message) {
        if (finished) {
            return;
        }
        stop("download failed");
        listener.onFailed(status, message);
    }

    static String rootMessage(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
