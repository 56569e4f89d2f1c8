package p2pstream.peer.client.file;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import p2pstream.common.access.Grant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ContentId;
import p2pstream.peer.playback.Arrivals;
import p2pstream.peer.playback.Reader;
import p2pstream.peer.schedule.Scheduler;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.Store;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.StreamHost;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Swarm;
import p2pstream.peer.swarm.ViewerStream;

/**
 * One file stream of a viewer, built once its manifest is verified: asks the {@link Scheduler} what to request
 * of each peer of its {@link Swarm}, verifies every chunk against the manifest, stores good ones, serves them to
 * other viewers and tells its readers they arrived. Readers read from the store at their own playheads; the
 * union of their windows is what is fetched. Peers that fail, stall or lie are dropped and their chunks
 * re-queued. Everything here runs on the viewer's loop thread, but for the reader calls, which hop to it.
 */
public final class FileStream implements ViewerStream {
    private static final Logger log = LoggerFactory.getLogger(FileStream.class);

    private final StreamHost host;
    private final EventLoop loop;
    private final StreamRequest request;
    private final Swarm<FilePeer> swarm;
    private final Manifest manifest;
    private final String name;
    private final Store store;
    private final Scheduler scheduler;
    private final StoreHolding holding;
    /**
     * Our grant, when the stream is private: we show it to the peers we fetch from, serve the stream only to peers
     * that show theirs, and announce it to the tracker with it. Null for a public stream.
     */
    private Grant grant;
    /** Which GRANT a peer hands us is taken. */
    private final GrantRule rule;
    /** A peer said the stream is private, and no owner is pinned: it is served to nobody ({@link GrantRule}). */
    private boolean withheld;
    private final ChunkVerifier verifier;
    private final FileFetcher fetcher;
    private final Resume resume;
    private final Arrivals arrivals;
    private final CompletableFuture<Void> failure = new CompletableFuture<>();
    private final List<Reader> readers = new ArrayList<>();
    /** Why the stream failed, once it did. */
    private String failedMessage;
    private final AtomicBoolean movePosted = new AtomicBoolean();
    private int[] heads = new int[1];
    private int nextSlot;
    private long lastPeerNanos;
    private int lastDoneCount = -1;
    private boolean finished;
    private Runnable onTick = () -> { };

    /**
     * Takes over {@code swarm}'s links from the opening (the caller moves their owner here). Until a reader
     * attaches, the chunk of the request's start offset counts as a playhead, so fetching starts at once.
     *
     * @param firstSlot the slot number of the next link (the opening numbered those before)
     * @param grant     our grant for the private stream (its owner's, naming us), or null for a public stream
     * @param rule      which GRANT a peer hands us is taken (any peer can sign one)
     * @param withheld  a peer said the stream is private and no owner is pinned: it is served to nobody
     */
    FileStream(StreamHost host, StreamRequest request, Swarm<FilePeer> swarm, Manifest manifest, String name,
               Store store, ChunkBuffers buffers, int firstSlot, Grant grant, GrantRule rule, boolean withheld) {
        this.host = host;
        this.loop = host.loop();
        this.request = request;
        this.swarm = swarm;
        this.manifest = manifest;
        this.name = name;
        this.store = store;
        int window = window(request, manifest);
        // paced, the urgent part is what the player needs within its start-up buffer's worth of time
        long pacedChunks = request.rateBytesPerSecond() <= 0 ? 0
                : (long) Math.ceil(
                        request.rateBytesPerSecond() * (request.bufferMillis() / 1000.0) / manifest.chunkSize());
        int urgent = (int) Math.max(1, Math.min(window, Math.max(Math.max(4, window / 8), pacedChunks)));
        this.scheduler = new Scheduler(manifest.chunkCount(), window, urgent);
        scheduler.playhead(startIndex());
        this.verifier = new ChunkVerifier(host.verifiers(), loop);
        this.arrivals = new Arrivals(manifest.chunkCount());
        this.holding = new StoreHolding(store);
        this.fetcher = new FileFetcher(this, host, manifest, store, buffers, scheduler, swarm, holding, arrivals,
                verifier);
        this.grant = grant;
        this.rule = rule;
        this.withheld = withheld;
        if (withheld) {
            log.info("{}: served to nobody (a peer said it is private, and no owner is pinned)", name);
        } else if (grant == null) {
            host.catalog().serve(manifest.contentId(), holding);
        } else {
            host.catalog().servePrivate(manifest.contentId(), holding, grant);
        }
        this.resume = new Resume(manifest, scheduler, store instanceof ChunkStore file ? file : null, holding, verifier,
                new Taken());
        this.lastPeerNanos = loop.nanoTime();
        this.nextSlot = firstSlot;
        swarm.links(a -> new FilePeer(a, host.hello(manifest.contentId(), this.grant), this.grant, loop.clock(),
                nextSlot++, fetcher));
        swarm.onChanged(fetcher::pumpAll);
    }

    /** Chunks fetched ahead of each reader: the request's window, no more than the stream has. */
    static int window(StreamRequest request, Manifest m) {
        return Math.max(1, Math.min(request.windowChunks(), Math.max(1, m.chunkCount())));
    }

    /** Starts re-checking what an earlier run stored, and the periodic work. */
    void start() {
        resume.start();
        loop.schedule(host.timings().fileTickMillis(), this::tick);
    }

    // ---- what readers and figures see ----

    @Override
    public ContentId contentId() {
        return manifest.contentId();
    }

    @Override
    public String name() {
        return name;
    }

    public Manifest manifest() {
        return manifest;
    }

    public Store store() {
        return store;
    }

    public Arrivals arrivals() {
        return arrivals;
    }

    /** The chunk of the request's start offset. */
    public int startIndex() {
        return manifest.chunkCount() == 0 ? 0
                : (int) Math.min(manifest.chunkCount() - 1, request.startOffset() / manifest.chunkSize());
    }

    /** Chunks fetched ahead of each reader. */
    public int window() {
        return scheduler.window();
    }

    @Override
    public CompletableFuture<Void> failure() {
        return failure;
    }

    /** Runs every tick while the stream runs: time to draw a progress line. */
    public void onTick(Runnable r) {
        this.onTick = r;
    }

    public int hashFailures() {
        return fetcher.hashFailures();
    }

    public long fetchedBytes() {
        return fetcher.fetchedBytes();
    }

    public long resumedBytes() {
        return resume.resumedBytes();
    }

    /** Bytes verified and stored: fetched, or kept from an earlier run. */
    public long inPlaceBytes() {
        return fetcher.fetchedBytes() + resume.resumedBytes();
    }

    /** Stored chunks of an earlier run checked so far, and to check in all (0 without a record). */
    public int storedChunksChecked() {
        return resume.checkedChunks();
    }

    public int storedChunksRecorded() {
        return resume.recordedChunks();
    }

    public int readyPeers() {
        return swarm.readyCount();
    }

    public long connectionAttempts() {
        return swarm.attempts();
    }

    // ---- readers (any thread: each call hops to the loop) ----

    /**
     * {@code r} reads from now on: its window becomes urgent. Called on the stream's loop it joins at once, so a
     * reader that looks at {@link #arrivals} right after misses no {@link Reader#onArrived} (a chunk verified while
     * a posted join waited in the loop's queue would reach the readers before it, and never it).
     */
    public void addReader(Reader r) {
        if (loop.inEventLoop()) {
            join(r);
        } else {
            loop.execute(() -> join(r));
        }
    }

    private void join(Reader r) {
        if (failedMessage != null) {
            r.onFailed(failedMessage);
            return;
        }
        readers.add(r);
        onReadersMoved();
    }

    /**
     * {@code r} is gone: its window is no longer fetched. Always posted, even on the loop: a reader leaves from
     * inside its {@link Reader#onArrived}, while the readers are being told.
     */
    public void removeReader(Reader r) {
        loop.execute(() -> {
            readers.remove(r);
            onReadersMoved();
        });
    }

    /** A reader's playhead moved. */
    public void onReaderMoved() {
        if (movePosted.compareAndSet(false, true)) {
            loop.execute(() -> {
                movePosted.set(false);
                onReadersMoved();
            });
        }
    }

    private void onReadersMoved() {
        if (readers.isEmpty()) {
            return; // the start offset stands in until a reader comes, and stays for one that left
        }
        if (heads.length < readers.size()) {
            heads = new int[readers.size()];
        }
        for (int i = 0; i < readers.size(); i++) {
            heads[i] = readers.get(i).playhead();
        }
        scheduler.playheads(heads, readers.size());
        resume.onPlayheadMoved();
        int slowest = scheduler.playhead();
        // what is kept below the slowest reader is for peers: a window's worth when serving, none otherwise
        store.releaseBelow(slowest - (host.catalog().listenPort() != 0 ? scheduler.window() : 0));
        fetcher.pumpAll();
    }

    /** Chunk {@code index} is verified and stored: the readers hear of it. */
    void onArrived(int index) {
        arrivals.add(index);
        for (int i = 0; i < readers.size(); i++) {
            readers.get(i).onArrived(index);
        }
    }

    /** The links' owner: the opening hands each link over to it. */
    FilePeer.Owner fetcher() {
        return fetcher;
    }

    /** A link became ready: the no-peer clock restarts. */
    void onPeerReady() {
        lastPeerNanos = loop.nanoTime();
    }

    boolean isFinished() {
        return finished;
    }

    /**
     * A peer let us in with grant {@code g}. From the owner pinned, if the stream began as public, from now on it is
     * private, served only to peers that show a grant and announced with ours (PROTOCOL.md section 10); from a peer
     * we cannot tell from its owner, the stream is served to nobody from now on ({@link GrantRule}).
     */
    void onPrivate(FilePeer peer, Grant g) {
        if (grant != null || withheld) {
            return;
        }
        GrantRule.Verdict verdict = rule.on(g);
        if (verdict == GrantRule.Verdict.WITHHOLD) {
            withheld = true;
            log.warn(GrantRule.withheld(name, peer, g));
            host.catalog().withhold(manifest.contentId(), "stream " + manifest.contentId().shortHex() + " is no"
                    + " longer served here (it may be private)");
        } else if (verdict == GrantRule.Verdict.TAKE) {
            grant = g;
            host.catalog().withdraw(manifest.contentId());
            host.catalog().servePrivate(manifest.contentId(), holding, g);
            host.catalog().recheckReaders(manifest.contentId()); // those served while it was public show no grant
            if (host.tracker() != null) {
                host.tracker().withdraw(manifest.contentId());
                holding.reannounce();
            }
        }
    }

    void announceProgress() {
        if (host.catalog().listenPort() != 0 && host.tracker() != null) {
            holding.announceIfDue(host.tracker(), loop.nanoTime(), host.timings().announceIntervalMillis(), grant);
        }
    }

    private void tick() {
        if (finished) {
            return;
        }
        boolean goOn = true;
        try {
            goOn = tickOnce();
        } finally {
            // even when a step threw: a stream whose tick stopped would wait forever, not even timing out
            if (goOn && !finished) {
                loop.schedule(host.timings().fileTickMillis(), this::tick);
            }
        }
    }

    /** The periodic work; false once the stream has failed. */
    private boolean tickOnce() {
        long now = loop.nanoTime();
        long tickMillis = host.timings().fileTickMillis();
        for (FilePeer p : new ArrayList<>(swarm.peers())) {
            if (p.isReady()) {
                p.onTick(now, tickMillis / 1000.0, manifest.chunkSize(), host.timings().minStallMillis());
            }
        }
        swarm.tick(now);
        if (swarm.readyCount() > 0 && progressed()) {
            lastPeerNanos = now;
        }
        if (now - lastPeerNanos > request.noPeerTimeoutMillis() * 1_000_000) {
            // no usable peer, or peers that deliver nothing: either way the stream cannot go on
            fail(StreamFailure.UNREACHABLE, "no peer delivered " + name + " for " + request.noPeerTimeoutMillis()
                    + " ms (expected: a reachable peer holding the missing chunks; banned: "
                    + swarm.bannedCount() + ")");
            return false;
        }
        if (grant != null) {
            host.catalog().recheckReaders(manifest.contentId()); // a reader whose grant expired is closed FORBIDDEN
        }
        fetcher.pumpAll();
        onTick.run();
        return true;
    }

    /** True when a chunk was verified (or nothing is missing where readers need it) since the last check. */
    private boolean progressed() {
        int done = scheduler.doneCount();
        // nothing missing in the window (a paced player is behind): waiting is not a lack of peers
        boolean progressed = done != lastDoneCount || scheduler.isComplete() || !scheduler.missingInWindow();
        lastDoneCount = done;
        return progressed;
    }

    void fail(int status, String message) {
        if (finished) {
            return;
        }
        stop("download failed");
        StreamFailure f = new StreamFailure(status, message);
        failedMessage = message;
        arrivals.fail(f);
        failure.completeExceptionally(f);
        for (Reader r : List.copyOf(readers)) {
            r.onFailed(message);
        }
        readers.clear();
    }

    @Override
    public void stop(String reason) {
        finished = true;
        resume.stop();
        swarm.stop(reason);
    }

    /** What the stream does as stored chunks of an earlier run are taken over. */
    private final class Taken implements Resume.Listener {
        @Override
        public void onStoredChunk(int index, boolean good) {
            if (good) {
                FileStream.this.onArrived(index);
                announceProgress();
            }
            fetcher.pumpAll();
        }

        @Override
        public void onResumeFailed(String message) {
            fail(StreamFailure.FAILED, message);
        }
    }
}
