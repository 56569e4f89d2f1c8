package p2pstream.peer.client.file;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reject;
import p2pstream.peer.playback.Arrivals;
import p2pstream.peer.schedule.Scheduler;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.Store;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.StreamHost;
import p2pstream.peer.swarm.Swarm;

/**
 * What a file stream does with its links' frames: tells the {@link Scheduler} who holds what, turns its choices
 * into REQUESTs, checks every CHUNK against the manifest on the verifier pool (the bytes are read from the socket
 * straight into a pooled buffer, or copied into one when they arrived with other frames, and stored before the
 * verdict), and on a good one tells the readers, the peers it serves and the tracker. A peer that sends a bad
 * chunk is dropped and banned; one that leaves gives its requests back. Loop thread only.
 */
final class FileFetcher implements FilePeer.Owner {
    private static final Logger log = LoggerFactory.getLogger(FileFetcher.class);

    private final FileStream stream;
    private final StreamHost host;
    private final EventLoop loop;
    private final Manifest manifest;
    private final Store store;
    private final Scheduler scheduler;
    private final Swarm<FilePeer> swarm;
    private final StoreHolding holding;
    private final Arrivals arrivals;
    private final Requester requester;
    private final ChunkVerifier verifier;
    private final ChunkBuffers buffers;
    /** Chunks whose copy is being hashed: a second copy arriving meanwhile is dropped. */
    private final BitSet verifying = new BitSet();
    /** Checks not in use, for the next chunks to verify. */
    private final ArrayDeque<ChunkVerifier.Check<FilePeer>> checks = new ArrayDeque<>();
    private int hashFailures;
    /** Bytes fetched from peers and verified: what the rate on the progress line measures. */
    private long fetchedBytes;

    FileFetcher(FileStream stream, StreamHost host, Manifest manifest, Store store, ChunkBuffers buffers,
                Scheduler scheduler,
                Swarm<FilePeer> swarm, StoreHolding holding, Arrivals arrivals, ChunkVerifier verifier) {
        this.stream = stream;
        this.host = host;
        this.loop = host.loop();
        this.manifest = manifest;
        this.store = store;
        this.scheduler = scheduler;
        this.swarm = swarm;
        this.holding = holding;
        this.arrivals = arrivals;
        this.verifier = verifier;
        this.requester = new Requester(scheduler, swarm.peers(), loop.clock(), manifest.chunkSize());
        this.buffers = buffers;
    }

    int hashFailures() {
        return hashFailures;
    }

    long fetchedBytes() {
        return fetchedBytes;
    }

    @Override
    public int onManifest(FilePeer peer, byte[] encoded) throws ProtocolException {
        if (!Arrays.equals(encoded, manifest.encoded())) {
            throw ProtocolException.malformed("manifest: differs from the verified one (expected: content id "
                    + manifest.contentId().shortHex() + ")");
        }
        return ChunkHeader.BYTES + manifest.chunkSize();
    }

    @Override
    public int chunkCount() {
        return manifest.chunkCount();
    }

    @Override
    public void onPeerReady(FilePeer peer) {
        stream.onPeerReady();
        if (peer.held == null) {
            scheduler.addSeed();
        } else {
            scheduler.addViewer();
            for (int i = peer.held.nextSetBit(0); i >= 0; i = peer.held.nextSetBit(i + 1)) {
                scheduler.addHolder(i);
            }
        }
        host.catalog().traffic().peerReady(peer.name, peer.route());
        log.debug("{} ready ({})", peer, peer.held == null ? "holds all" : peer.held.cardinality() + " chunks");
        pump(peer);
    }

    @Override
    public void onHave(FilePeer peer, int index) {
        if (peer.held != null && !peer.held.get(index)) {
            peer.held.set(index);
            scheduler.addHolder(index);
            pump(peer);
        }
    }

    @Override
    public void onChunk(FilePeer peer, int index, ByteBuffer payload) throws ProtocolException {
        take(peer, index, payload, false);
    }

    @Override
    public void onPooledChunk(FilePeer peer, int index, ByteBuffer payload) throws ProtocolException {
        take(peer, index, payload, true);
    }

    @Override
    public ByteBuffer chunkBuffer(int payloadBytes) {
        return payloadBytes <= buffers.capacity() ? buffers.acquire() : null;
    }

    @Override
    public void recycle(ByteBuffer buffer) {
        buffers.recycle(buffer);
    }

    /**
     * A CHUNK from {@code peer}: if it was asked for and is still wanted, its bytes go to the verifier, in the
     * pooled buffer they arrived in, or copied into one from the read buffer; a pooled one not kept is recycled.
     */
    private void take(FilePeer peer, int index, ByteBuffer payload, boolean pooled) throws ProtocolException {
        boolean kept = false;
        try {
            if (wanted(peer, index, payload)) {
                verifying.set(index);
                ByteBuffer chunk = payload;
                if (!pooled) {
                    chunk = buffers.acquire();
                    chunk.put(payload).flip();
                }
                kept = true;
                ChunkVerifier.Check<FilePeer> check = checks.poll();
                if (check == null) {
                    check = verifier.check(this::onVerified); // as many as chunks were ever in check at once
                }
                check.submit(manifest, index, chunk, store, peer);
            }
        } finally {
            if (pooled && !kept) {
                buffers.recycle(payload);
            }
        }
    }

    /** True when chunk {@code index} was asked of {@code peer}, has its length and is neither done nor in a check. */
    private boolean wanted(FilePeer peer, int index, ByteBuffer payload) throws ProtocolException {
        if (index >= manifest.chunkCount()) {
            throw new ProtocolException(ErrorCode.OUT_OF_RANGE, "chunk index: " + index + " (expected: < "
                    + manifest.chunkCount() + ")");
        }
        Long askedAt = peer.outstanding.remove(index);
        peer.markDelivery(loop.nanoTime());
        if (askedAt == null) {
            if (peer.cancelled.get(index)) {
                peer.cancelled.clear(index); // crossed our CANCEL on the wire
                return false;
            }
            throw new ProtocolException(ErrorCode.UNEXPECTED, "chunk: " + index + " (expected: a requested chunk)");
        }
        int expected = manifest.chunkLength(index);
        if (payload.remaining() != expected) {
            throw ProtocolException.malformed("chunk " + index + " length: " + payload.remaining() + " (expected: "
                    + expected + ")");
        }
        if (scheduler.isDone(index)) {
            return false; // a duplicate that lost the race
        }
        if (verifying.get(index)) {
            // the other copy is being checked; if it fails, this request must not linger in the count
            scheduler.unrequested(index);
            return false;
        }
        return true;
    }

    private void onVerified(ChunkVerifier.Check<FilePeer> check) {
        FilePeer peer = check.from();
        int index = check.index();
        ByteBuffer chunk = check.chunk();
        boolean good = check.good();
        String writeError = check.writeError();
        check.clear();
        checks.add(check);
        verifying.clear(index);
        int length = chunk.remaining();
        if (!store.retains() || !good || writeError != null) {
            buffers.recycle(chunk); // written out (or refused): a store that keeps buffers gives this one back itself
        }
        if (stream.isFinished()) {
            return;
        }
        if (writeError != null) {
            stream.fail(StreamFailure.FAILED, "output: " + writeError);
            return;
        }
        if (!good) {
            hashFailures++;
            host.catalog().traffic().rejected();
            scheduler.unrequested(index);
            if (swarm.ban(peer.address)) {
                log.warn("{} sent chunk {} with a bad SHA-256: dropping it for this session", peer, index);
            }
            peer.close("bad chunk " + index + ": SHA-256 mismatch");
            pumpAll();
            return;
        }
        if (!scheduler.completed(index)) {
            return; // another copy won
        }
        fetchedBytes += length;
        stream.onArrived(index);
        holding.add(index);
        stream.announceProgress();
        host.catalog().traffic().received(peer.name, length);
        swarm.delivered(peer.address);
        requester.cancelDuplicates(index, peer);
        pump(peer);
    }

    @Override
    public void onReject(FilePeer peer, int index, Reject.Reason reason) throws ProtocolException {
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

    @Override
    public void onGranted(FilePeer peer, Grant g) {
        stream.onPrivate(peer, g);
    }

    @Override
    public void onPeerClosed(FilePeer peer, FilePeer.Phase was, String reason) {
        if (was == FilePeer.Phase.READY) {
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
        swarm.onClosed(peer, was, reason);
    }

    /** A peer said it lacks a chunk: a seed becomes a partial holder of everything else. */
    private void notHeld(FilePeer peer, int index) {
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

    // ---- requesting and upkeep ----

    void pumpAll() {
        if (!stream.isFinished()) {
            requester.pumpAll();
        }
    }

    private void pump(FilePeer peer) {
        if (!stream.isFinished()) {
            requester.pump(peer);
        }
    }
}
