package p2pstream.peer.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ContentId;
import p2pstream.peer.client.file.FileStream;
import p2pstream.peer.client.live.LiveStream;
import p2pstream.peer.playback.HlsSegmenter;
import p2pstream.peer.playback.LiveReader;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.ViewerStream;
import p2pstream.peer.viewer.Viewer;

/**
 * The streams a gateway has open, by the name or content id they were asked by: each opened once however many
 * requests share it, its file stream kept in the cache directory under its content id (so a restart resumes it).
 * When the cache holds more than its size, streams no reader uses are closed and their files deleted, least
 * recently used first. It keeps what the pages show of each (bytes sent to players, stalls, rates, live latency)
 * and tells the gateway's metrics. The viewer's loop thread.
 */
final class OpenStreams {
    private static final Logger log = LoggerFactory.getLogger(OpenStreams.class);

    private final Viewer viewer;
    private final EventLoop loop;
    private final StreamRequest template;
    private final Path cacheDir;
    private final long cacheBytes;
    private final GatewayMetrics metrics;
    static final long SAMPLE_MILLIS = 1_000;

    private final Map<String, OpenStream> byKey = new HashMap<>();
    private boolean closed;

    /** @param template how each stream is fetched (window, peers, timeouts); its stream name is replaced */
    OpenStreams(Viewer viewer, StreamRequest template, Path cacheDir, long cacheBytes, GatewayMetrics metrics) {
        this.viewer = viewer;
        this.loop = viewer.loop();
        this.template = template;
        this.cacheDir = cacheDir;
        this.cacheBytes = cacheBytes;
        this.metrics = metrics;
        loop.execute(() -> loop.schedule(SAMPLE_MILLIS, this::sample));
    }

    /** The stream asked by {@code key} (a name or a content id), opened at the first request. */
    OpenStream open(String key) {
        OpenStream e = byKey.get(key);
        if (e != null && !e.stream.isCompletedExceptionally()) {
            e.lastUsedNanos = loop.nanoTime();
            return e;
        }
        StreamRequest request = new StreamRequest(key, template.peers(), template.maxPeers(), template.windowChunks(),
                template.noPeerTimeoutMillis(), template.latencyMillis(), null, 0, 0, 2_000, cacheDir,
                template.pinned());
        CompletableFuture<ViewerStream> future = new CompletableFuture<>();
        OpenStream fresh = new OpenStream(future);
        fresh.lastUsedNanos = loop.nanoTime();
        byKey.put(key, fresh);
        viewer.open(request).whenComplete((s, error) -> loop.execute(() -> onOpened(key, fresh, s, error)));
        return fresh;
    }

    private void onOpened(String key, OpenStream e, ViewerStream s, Throwable error) {
        if (error != null) {
            byKey.remove(key, e); // the next request tries again
            e.stream.completeExceptionally(error);
            return;
        }
        // a stream asked by name and by content id is one stream (the viewer opens each content once)
        OpenStream same = byKey.values().stream()
                .filter(o -> o != e && o.isOpen()
                        && o.stream.join() == s)
                .findFirst().orElse(null);
        if (same != null) {
            byKey.put(key, same);
            e.sameAs(same); // the requests already holding e read through same, where the chunks go
            e.stream.complete(s);
            return;
        }
        metrics.onStreamOpened(s instanceof LiveStream);
        if (s instanceof LiveStream live) {
            live.reader(new LiveReader() {
                @Override
                public boolean offer(LiveChunk chunk, boolean measured, boolean resync) {
                    onLiveChunk(e, chunk, measured);
                    return e.liveReaders.offer(chunk, measured, resync);
                }

                @Override
                public void finish() {
                    e.liveReaders.finish();
                }
            });
        }
        s.failure().whenComplete((v, f) -> loop.execute(() -> byKey.values().removeIf(o -> o == e)));
        e.stream.complete(s);
        evict();
    }

    /** A response started or ended reading the stream. */
    void onReader(OpenStream e, int delta) {
        e.readers += delta;
        e.lastUsedNanos = loop.nanoTime();
        if (delta < 0) {
            evict();
        }
    }

    private void onLiveChunk(OpenStream e, LiveChunk chunk, boolean measured) {
        if (e.transportStream == null) {
            e.transportStream = HlsSegmenter.isTransportStream(chunk.bytes());
        }
        if (measured) {
            long micros = loop.clock().epochMicros() - chunk.publishMicros();
            e.latencyMillis = micros / 1000;
            metrics.onLiveLatency(micros / 1e6);
        }
    }

    /** {@code bytes} of {@code e}'s stream went to an HTTP client. */
    void onSent(OpenStream e, long bytes) {
        e.sentBytes += bytes;
        metrics.onSent(bytes);
    }

    /** A response to a player waits for a chunk that is not here yet. */
    void onStall(OpenStream e) {
        e.stalls++;
        metrics.onStall();
    }

    /** A response asked at {@code askedNanos} (the loop's clock) sent its first byte of a stream now. */
    void onFirstByte(long askedNanos) {
        metrics.onFirstByte((loop.nanoTime() - askedNanos) / 1e9);
    }

    /** The open (or opening) entry of {@code key}, without opening it; null when there is none. */
    OpenStream find(String key) {
        OpenStream e = byKey.get(key);
        if (e == null) {
            ContentId id = ContentId.parse(key);
            for (OpenStream o : byKey.values()) {
                if (o.isOpen() && (o.stream.join().name().equals(key)
                        || o.stream.join().contentId().equals(id))) {
                    return o;
                }
            }
        }
        return e;
    }

    /** Each second: the rates of the open streams take a sample. */
    private void sample() {
        if (closed) {
            return;
        }
        long now = loop.nanoTime();
        for (OpenStream e : new HashSet<>(byKey.values())) {
            if (e.isOpen()) {
                e.received.sample(now, receivedBytes(e.stream.join()));
                e.sent.sample(now, e.sentBytes);
            }
        }
        loop.schedule(SAMPLE_MILLIS, this::sample);
    }

    /** Verified bytes of {@code s} fetched from peers (a file's resumed ones not among them). */
    static long receivedBytes(ViewerStream s) {
        return s instanceof FileStream f ? f.fetchedBytes() : ((LiveStream) s).receivedBytes();
    }

    /** Peers {@code s} fetches from now (links past their handshake). */
    static long readyPeers(ViewerStream s) {
        return s instanceof FileStream f ? f.readyPeers() : ((LiveStream) s).readyPeers();
    }

    /** Open streams, for pages and figures. */
    List<ViewerStream> streams() {
        List<ViewerStream> out = new ArrayList<>();
        for (OpenStream e : byKey.values()) {
            if (e.isOpen() && !out.contains(e.stream.join())) {
                out.add(e.stream.join());
            }
        }
        return out;
    }

    /** Verified bytes the cache holds for the open file streams. */
    long heldBytes() {
        long total = 0;
        for (ViewerStream s : streams()) {
            if (s instanceof FileStream f) {
                total += f.inPlaceBytes();
            }
        }
        return total;
    }

    /** The sum of {@code figure} over the open streams. */
    long sum(ToLongFunction<ViewerStream> figure) {
        long total = 0;
        for (ViewerStream s : streams()) {
            total += figure.applyAsLong(s);
        }
        return total;
    }

    /** Responses reading a stream now. */
    int readers() {
        int n = 0;
        for (OpenStream e : new HashSet<>(byKey.values())) {
            n += e.readers;
        }
        return n;
    }

    /** Bytes the cache holds for the open file streams (their sizes). */
    long cachedBytes() {
        long total = 0;
        for (ViewerStream s : streams()) {
            if (s instanceof FileStream f) {
                total += f.manifest().size();
            }
        }
        return total;
    }

    /** Closes streams no reader uses, least recently used first, while the cache holds more than its size. */
    private void evict() {
        while (cachedBytes() > cacheBytes) {
            OpenStream victim = null;
            for (OpenStream e : byKey.values()) {
                if (e.readers == 0 && e.isOpen()
                        && e.stream.join() instanceof FileStream
                        && (victim == null || e.lastUsedNanos < victim.lastUsedNanos)) {
                    victim = e;
                }
            }
            if (victim == null) {
                return; // everything is being read: the cache grows until a reader leaves
            }
            close(victim);
            metrics.onEvicted();
        }
    }

    private void close(OpenStream e) {
        FileStream f = (FileStream) e.stream.join();
        byKey.values().removeIf(o -> o == e);
        f.stop("evicted from the cache");
        viewer.forget(f);
        try {
            f.store().close();
            if (f.store() instanceof ChunkStore file) {
                Files.deleteIfExists(file.dataPath());
                Files.deleteIfExists(ChunkStore.recordPathFor(file.dataPath()));
            }
        } catch (IOException ex) {
            log.warn("evicting {}: {}", f.name(), ex.toString());
        }
        log.info("{} evicted from the cache ({} bytes)", f.name(), f.manifest().size());
    }

    /** Closes every stream (the gateway stops). */
    void closeAll() {
        closed = true;
        for (ViewerStream s : streams()) {
            s.stop("gateway stopped");
            if (s instanceof FileStream f) {
                try {
                    f.store().close();
                } catch (IOException ex) {
                    log.warn("closing {}: {}", f.name(), ex.toString());
                }
            }
        }
        byKey.clear();
    }
}
