package p2pstream.peer.client.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reject;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.MemoryStore;
import p2pstream.peer.store.Store;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.StreamHost;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Swarm;

/**
 * A file stream being opened: connects to the peers its resolution named until one sends a manifest that
 * verifies against the content id, then opens the store and builds the {@link FileStream} on it, handing over
 * every link. Fails when no peer delivers a manifest for the no-peer time. Loop thread only.
 */
public final class FileOpening implements FilePeer.Owner {
    private static final String FORBIDDEN = ErrorCode.PEER_ERROR_REASON + ErrorCode.FORBIDDEN.name() + ":";
    private static final Logger log = LoggerFactory.getLogger(FileOpening.class);

    private final StreamHost host;
    private final EventLoop loop;
    private final StreamRequest request;
    private final ContentId contentId;
    /** The name the tracker gave, or null (asked by content id of given peers: the manifest names it). */
    private final String name;
    /**
     * Our grant for a private stream, from the tracker's PEERS or the owner's GRANT: the stream is private, and we
     * show it to every peer after our HELLO; null while it is public.
     */
    private Grant grant;
    /** Which GRANT a peer hands us is taken: none through a tracker, the pinned owner's asked of given peers. */
    private final GrantRule rule;
    /** A peer said the stream is private, and no owner is pinned: it is served to nobody ({@link GrantRule}). */
    private boolean withheld;
    /** The last refusal of a peer that would not let us read the stream, or null. */
    private String forbidden;
    private final Swarm<FilePeer> swarm;
    private final CompletableFuture<FileStream> result = new CompletableFuture<>();
    private final long startNanos;
    private int nextSlot;
    private FileStream stream;

    /** @param found the tracker's answer about the stream, or null when no tracker was asked */
    public FileOpening(StreamHost host, StreamRequest request, ContentId contentId, Peers found) {
        this(host, request, contentId, found, null);
    }

    /**
     * @param found the tracker's answer about the stream, or null when no tracker was asked
     * @param grant our grant for the private stream (from {@code found}, checked), or null
     */
    public FileOpening(StreamHost host, StreamRequest request, ContentId contentId, Peers found, Grant grant) {
        this.host = host;
        this.loop = host.loop();
        this.request = request;
        this.contentId = contentId;
        this.name = found == null ? null : found.name();
        this.swarm = new Swarm<>(loop, host.tracker(), host.arrangements(), host.catalog().key(), contentId,
                request, host.timings(),
                a -> new FilePeer(a, host.hello(contentId, this.grant), this.grant, loop.clock(), nextSlot++, this));
        this.grant = grant;
        this.rule = GrantRule.of(found != null, request.owner());
        this.startNanos = loop.nanoTime();
        if (found != null) {
            swarm.onFirstLookup(found);
            log.info("{} is {} ({} bytes): {} peers", request.stream(), contentId.shortHex(), found.size(),
                    found.peers().size());
        }
    }

    /** Completes with the stream once a manifest verified, or exceptionally with a {@link StreamFailure}. */
    public CompletableFuture<FileStream> start() {
        swarm.connectMore();
        loop.schedule(host.timings().fileTickMillis(), this::tick);
        return result;
    }

    @Override
    public int onManifest(FilePeer peer, byte[] encoded) throws ProtocolException {
        if (stream != null) {
            return stream.fetcher().onManifest(peer, encoded);
        }
        Manifest m = Manifest.decode(encoded, contentId);
        if (request.startOffset() > 0 && request.startOffset() >= m.size()) {
            fail(StreamFailure.FAILED, "output: start: " + request.startOffset() + " (expected: 0.."
                    + Math.max(0, m.size() - 1) + ")");
            return ChunkHeader.BYTES + m.chunkSize();
        }
        ChunkBuffers buffers = new ChunkBuffers(m.chunkSize());
        Store store;
        try {
            // no file named: a pipe's store is memory, bounded by the readers' windows
            store = request.storeFile() != null ? ChunkStore.open(m, request.storeFile())
                    : request.storeDir() != null ? ChunkStore.open(m, request.storeDir().resolve(m.contentId().hex()))
                    : new MemoryStore(m, buffers::recycle);
        } catch (IOException e) {
            fail(StreamFailure.FAILED, "output: " + e.getMessage());
            return ChunkHeader.BYTES + m.chunkSize();
        }
        String streamName = name != null ? name : m.name(); // no tracker named it (--peer with a content id)
        stream = new FileStream(host, request, swarm, m, streamName, store, buffers, nextSlot, grant, rule, withheld);
        for (FilePeer p : swarm.peers()) {
            p.owner(stream.fetcher());
        }
        log.info("{}: manifest verified from {}: {} chunks of {} bytes, window {}", streamName, peer, m.chunkCount(),
                m.chunkSize(), FileStream.window(request, m));
        stream.start();
        result.complete(stream);
        return ChunkHeader.BYTES + m.chunkSize();
    }

    @Override
    public int chunkCount() {
        throw new IllegalStateException("chunk count: unknown before the manifest");
    }

    @Override
    public void onPeerReady(FilePeer peer) {
        throw new IllegalStateException(peer + " ready before the manifest");
    }

    @Override
    public void onHave(FilePeer peer, int index) {
        throw new IllegalStateException(peer + " HAVE before the manifest");
    }

    @Override
    public void onChunk(FilePeer peer, int index, ByteBuffer payload) {
        throw new IllegalStateException(peer + " CHUNK before the manifest");
    }

    @Override
    public void onReject(FilePeer peer, int index, Reject.Reason reason) {
        throw new IllegalStateException(peer + " REJECT before the manifest");
    }

    @Override
    public void onPeerClosed(FilePeer peer, FilePeer.Phase was, String reason) {
        boolean refused = reason != null && reason.startsWith(FORBIDDEN) && !result.isDone();
        if (refused) {
            swarm.ban(peer.address); // before the swarm tries it again
            forbidden = reason.substring("peer error ".length());
        }
        swarm.onClosed(peer, was, reason);
        if (refused && swarm.namedPeersAllBanned()) {
            // every peer the user named refused us: waiting for the no-peer timeout would only hide why
            fail(StreamFailure.FORBIDDEN, (name != null ? name : request.stream()) + ": " + forbidden);
        } else if (swarm.wrongIdentity() != null) {
            fail(StreamFailure.TRACKER_IDENTITY, swarm.wrongIdentity());
        }
    }

    @Override
    public void onGranted(FilePeer peer, Grant g) {
        if (grant != null || withheld) {
            return;
        }
        switch (rule.on(g)) {
            case TAKE -> grant = g; // the owner let us in: from now on we show it to the other peers
            case WITHHOLD -> {
                withheld = true;
                log.warn(GrantRule.withheld(name != null ? name : request.stream(), peer, g));
            }
            case IGNORE -> log.info("{}: the grant peer {} handed us is not taken (expected: {})", request.stream(),
                    peer, rule.tracked() ? "none, the tracker knows the stream" : "the owner pinned's");
        }
    }

    private void tick() {
        if (result.isDone()) {
            return; // the stream ticks from here on
        }
        long now = loop.nanoTime();
        swarm.tick(now);
        if (now - startNanos > request.noPeerTimeoutMillis() * 1_000_000) {
            fail(forbidden != null ? StreamFailure.FORBIDDEN : StreamFailure.UNREACHABLE, "no peer delivered "
                    + (name != null ? name : request.stream()) + " for " + request.noPeerTimeoutMillis()
                    + " ms (expected: a reachable peer holding the missing chunks; banned: " + swarm.bannedCount()
                    + (forbidden != null ? "; refused: " + forbidden : "") + ")");
            return;
        }
        loop.schedule(host.timings().fileTickMillis(), this::tick);
    }

    /** Gives up: every link closes. Loop thread. */
    public void fail(int status, String message) {
        if (!result.isDone()) {
            swarm.stop("download failed");
            result.completeExceptionally(new StreamFailure(status, message));
        }
    }
}
