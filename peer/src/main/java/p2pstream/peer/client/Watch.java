package p2pstream.peer.client;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import p2pstream.common.wire.PeerId;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Timings;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.viewer.Viewer;

/**
 * Watches one stream into a file or a channel, as the peer-client command does: a {@link Viewer} opens the stream
 * (file or live), a player reads it out, and the figures come back as {@link Stats}. {@link #run} blocks the
 * calling thread until the stream is delivered or has failed; a channel passed in is not closed.
 */
public final class Watch {

    /**
     * What to fetch and how. Each {@code withX} returns a changed copy and no copy is changed after it is
     * returned, so a config handed to {@link #run} may be read by its threads. Any thread.
     */
    public static final class Config {
        final InetSocketAddress tracker;
        final String stream;
        int maxPeers = 8;
        int windowChunks = 128;
        long noPeerTimeoutMillis = 20_000;
        PrintStream progress;
        boolean hashOutput = true;
        Path outputFile;
        boolean upload = true;
        int listenPort;
        long uploadBytesPerSecond;
        long rateBytesPerSecond;
        long bufferMillis = 2_000;
        long startOffset;
        long latencyMillis = 2_000;
        List<InetSocketAddress> peerAddresses = List.of();
        Map<InetSocketAddress, PeerId> pinned = Map.of();
        Timings timings = Timings.DEFAULT;
        CompletableFuture<String> interrupt;
        PrintStream pipeWarnings;
        /** Null: a fresh identity that takes any tracker. */
        Security security;

        private Config(InetSocketAddress tracker, String stream) {
            this.tracker = tracker;
            this.stream = stream;
        }

        /** Defaults: 8 peers, a 128-chunk window, serving what it holds on a free port, hashing the output. */
        public static Config of(InetSocketAddress tracker, String stream) {
            return new Config(tracker, stream);
        }

        private Config copy() {
            return copy(stream);
        }

        /** The same options for another stream (a name or content id): get-all runs one per file. */
        public Config forStream(String other) {
            return copy(other);
        }

        private Config copy(String stream) {
            Config c = new Config(tracker, stream);
            c.maxPeers = maxPeers;
            c.windowChunks = windowChunks;
            c.noPeerTimeoutMillis = noPeerTimeoutMillis;
            c.progress = progress;
            c.hashOutput = hashOutput;
            c.outputFile = outputFile;
            c.upload = upload;
            c.listenPort = listenPort;
            c.uploadBytesPerSecond = uploadBytesPerSecond;
            c.rateBytesPerSecond = rateBytesPerSecond;
            c.bufferMillis = bufferMillis;
            c.startOffset = startOffset;
            c.latencyMillis = latencyMillis;
            c.peerAddresses = peerAddresses;
            c.pinned = pinned;
            c.security = security;
            c.timings = timings;
            c.interrupt = interrupt;
            c.pipeWarnings = pipeWarnings;
            return c;
        }

        /**
         * Live streams: join about this far behind the live edge, and skip a chunk once a later one has waited
         * this long (default 2 s).
         */
        public Config withLatencyMillis(long millis) {
            Config c = copy();
            c.latencyMillis = millis;
            return c;
        }

        /** Ends the download, keeping its figures, when {@code reason} completes (a signal arrived). */
        public Config withInterrupt(CompletableFuture<String> reason) {
            Config c = copy();
            c.interrupt = reason;
            return c;
        }

        /** Fetch from these peers only, instead of those the tracker names (which still tells what the stream is). */
        public Config withPeerAddresses(List<InetSocketAddress> addresses) {
            Config c = copy();
            c.peerAddresses = List.copyOf(addresses);
            return c;
        }

        /** The stream owner's id, pinned for some of the peer addresses ({@code --peer HOST:PORT#ID}). */
        public Config withPinned(Map<InetSocketAddress, PeerId> owner) {
            Config c = copy();
            c.pinned = Map.copyOf(owner);
            return c;
        }

        /**
         * Consume like a player at this bitrate (bytes per second) after {@code bufferMillis} of content are in
         * place; 0 writes as fast as chunks arrive.
         */
        public Config withPacing(long bytesPerSecond, long bufferMillis) {
            Config c = copy();
            c.rateBytesPerSecond = bytesPerSecond;
            c.bufferMillis = bufferMillis;
            return c;
        }

        /** Start playback at this byte of the stream (seek); nothing before it is fetched. */
        public Config withStartOffset(long offset) {
            Config c = copy();
            c.startOffset = offset;
            return c;
        }

        /** Peers connected at once (K). */
        public Config withMaxPeers(int k) {
            Config c = copy();
            c.maxPeers = k;
            return c;
        }

        /** Chunks fetched ahead of the playhead; bounds the memory of the playback buffer. */
        public Config withWindowChunks(int n) {
            Config c = copy();
            c.windowChunks = n;
            return c;
        }

        /** Give up after this long without any usable peer. */
        public Config withNoPeerTimeoutMillis(long millis) {
            Config c = copy();
            c.noPeerTimeoutMillis = millis;
            return c;
        }

        /**
         * The output channel is a pipe into a player: warn on {@code err} when the stream cannot play from one (an
         * MP4 whose index, {@code moov}, comes after its media); null: no such check.
         */
        public Config withPipeWarnings(PrintStream err) {
            Config c = copy();
            c.pipeWarnings = err;
            return c;
        }

        /** Where to draw a progress line, or null. */
        public Config withProgress(PrintStream out) {
            Config c = copy();
            c.progress = out;
            return c;
        }

        /** Compute the SHA-256 of everything written (every chunk is verified against the manifest either way). */
        public Config withHashOutput(boolean on) {
            Config c = copy();
            c.hashOutput = on;
            return c;
        }

        /** Write into this file, which also keeps the chunks served to others and resumed after a restart. */
        public Config withOutputFile(Path file) {
            Config c = copy();
            c.outputFile = file;
            return c;
        }

        /** Serve what this viewer holds to other peers (default on). */
        public Config withUpload(boolean on) {
            Config c = copy();
            c.upload = on;
            return c;
        }

        /** Port to serve on; 0 picks a free one. */
        public Config withListenPort(int port) {
            Config c = copy();
            c.listenPort = port;
            return c;
        }

        /** The viewer's timers: tests that wait on stalls or retries shorten them. */
        public Config withTimings(Timings t) {
            Config c = copy();
            c.timings = t;
            return c;
        }

        /** What the viewer is asked to open. */
        StreamRequest request() {
            return new StreamRequest(stream, peerAddresses, maxPeers, windowChunks, noPeerTimeoutMillis, latencyMillis,
                    outputFile, startOffset, rateBytesPerSecond, bufferMillis, null, pinned);
        }

        /** The viewer's own settings. */
        Viewer.Config viewer() {
            // serve where the tracker reaches us: loopback stays loopback, anything else listens on every interface
            InetSocketAddress near = tracker != null ? tracker : peerAddresses.isEmpty() ? null : peerAddresses.get(0);
            return new Viewer.Config(tracker, upload, listenPort, uploadBytesPerSecond,
                    near == null ? null : near.getAddress(), timings,
                    security != null ? security : Security.ephemeral());
        }

        /** The identity the viewer proves and the tracker it trusts. */
        public Config withSecurity(Security s) {
            Config c = copy();
            c.security = s;
            return c;
        }

        /** Cap on upload, bytes per second; 0 for none. */
        public Config withUploadLimit(long bytesPerSecond) {
            Config c = copy();
            c.uploadBytesPerSecond = bytesPerSecond;
            return c;
        }

        public InetSocketAddress tracker() {
            return tracker;
        }

        public String stream() {
            return stream;
        }

        public int maxPeers() {
            return maxPeers;
        }

        public int windowChunks() {
            return windowChunks;
        }

        public long noPeerTimeoutMillis() {
            return noPeerTimeoutMillis;
        }
    }

    private Watch() {
    }

    /** Streams into {@code config}'s output file; returns the figures or throws with an exit status. */
    public static Stats run(Config config) throws WatchException, InterruptedException {
        if (config.outputFile == null) {
            throw new IllegalArgumentException(
                    "output file: none (expected: Config.withOutputFile, or run(config, channel))");
        }
        return run(config, null);
    }

    /**
     * Streams in order into {@code out}, or into {@code config}'s output file when {@code out} is null. A file
     * stream without an output file goes through a temporary store (deleted at the end), so memory stays bounded
     * by the window whatever the stream's size.
     */
    public static Stats run(Config config, WritableByteChannel out) throws WatchException, InterruptedException {
        return new WatchRun(config, out).await();
    }
}
