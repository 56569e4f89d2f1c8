package p2pstream.peer.http;

import java.util.concurrent.CompletableFuture;
import p2pstream.common.metrics.RecentRate;
import p2pstream.peer.playback.HlsSegmenter;
import p2pstream.peer.playback.LiveReaders;
import p2pstream.peer.swarm.ViewerStream;

/**
 * A stream the gateway has open (or is opening), as {@link OpenStreams} keeps it: the stream once open, its readers,
 * and what the pages show of it beside the stream's own figures. The viewer's loop thread.
 */
final class OpenStream {
    /** Rates span the last few seconds of samples, one a second. */
    static final int RATE_SAMPLES = 6;

    final CompletableFuture<ViewerStream> stream;
    /** Live streams only: the gateway's readers of it, and its HLS segments once asked for. */
    final LiveReaders liveReaders = new LiveReaders();
    /** Bytes a second from peers, and to HTTP clients. */
    final RecentRate received = new RecentRate(RATE_SAMPLES);
    final RecentRate sent = new RecentRate(RATE_SAMPLES);
    HlsSegmenter hls;
    int readers;
    long lastUsedNanos;
    /** Bytes of the stream sent to HTTP clients, and times a response waited for a chunk not yet here. */
    long sentBytes;
    int stalls;
    /** Live streams only: the last chunk's latency from its publishing (-1 before one), and whether it is TS. */
    long latencyMillis = -1;
    Boolean transportStream;
    /** Set when the stream proved to be one already open under another key: that entry has its readers. */
    private OpenStream same;

    OpenStream(CompletableFuture<ViewerStream> stream) {
        this.stream = stream;
    }

    /** The entry that reads the stream: this one, or the one it proved the same as (set before {@link #stream}). */
    OpenStream resolved() {
        return same != null ? same : this;
    }

    void sameAs(OpenStream other) {
        same = other;
    }

    /** Open, not failed: {@link #stream} may be joined. */
    boolean isOpen() {
        return stream.isDone() && !stream.isCompletedExceptionally();
    }
}
