package p2pstream.peer.swarm;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import p2pstream.common.wire.PeerId;

/**
 * A stream to open in a viewer, and how to fetch it. Thread-safe (immutable).
 *
 * @param stream              the stream's name, or its content id in hex
 * @param peers               fetch from these peers only (the tracker still says what the stream is, unless none is
 *                            asked: then {@code stream} must be a content id)
 * @param maxPeers            peers connected at once (K)
 * @param windowChunks        chunks fetched ahead of each reader; bounds the chunks in flight
 * @param noPeerTimeoutMillis give up after this long without a usable peer (live: without a new chunk)
 * @param latencyMillis       live: join this far behind the edge, and skip a chunk once a later one waited this long
 * @param storeFile           a file stream's store (its resume record beside it); null for a temporary one
 * @param startOffset         the first byte wanted: chunks before its chunk are not fetched until a reader asks
 * @param rateBytesPerSecond  the bitrate the reader consumes at (0: as fast as chunks come): sizes the urgent part
 * @param bufferMillis        with a rate: content the reader buffers before it starts
 * @param storeDir            with no store file: keep the stream in this directory, in a file named by its content
 *                            id (resumable, as a cache is); null to keep it in memory
 * @param pinned              the stream owner's peer id the user gave with some of {@code peers}
 *                            ({@code --peer HOST:PORT#ID}): each of those must prove it, and asked of given peers
 *                            alone, a GRANT is taken from that owner only (PROTOCOL.md section 10)
 */
public record StreamRequest(String stream, List<InetSocketAddress> peers, int maxPeers, int windowChunks,
                            long noPeerTimeoutMillis, long latencyMillis, Path storeFile, long startOffset,
                            long rateBytesPerSecond, long bufferMillis, Path storeDir,
                            Map<InetSocketAddress, PeerId> pinned) {
    public StreamRequest {
        peers = List.copyOf(peers);
        pinned = Map.copyOf(pinned);
        if (!peers.containsAll(pinned.keySet()) || new HashSet<>(pinned.values()).size() > 1) {
            throw new IllegalArgumentException("stream request: pinned " + pinned + " (expected: one owner's id,"
                    + " for given peers only)");
        }
        if (maxPeers < 1 || windowChunks < 1 || noPeerTimeoutMillis < 1 || latencyMillis < 1 || startOffset < 0) {
            throw new IllegalArgumentException("stream request: " + maxPeers + " peers, window " + windowChunks
                    + ", no-peer timeout " + noPeerTimeoutMillis + " ms, latency " + latencyMillis + " ms, start "
                    + startOffset + " (expected: all at least 1, start at least 0)");
        }
    }

    /** No id pinned: any peer id is taken from the given peers, and no GRANT from them without a tracker. */
    public StreamRequest(String stream, List<InetSocketAddress> peers, int maxPeers, int windowChunks,
                         long noPeerTimeoutMillis, long latencyMillis, Path storeFile, long startOffset,
                         long rateBytesPerSecond, long bufferMillis, Path storeDir) {
        this(stream, peers, maxPeers, windowChunks, noPeerTimeoutMillis, latencyMillis, storeFile, startOffset,
                rateBytesPerSecond, bufferMillis, storeDir, Map.of());
    }

    /** The owner's id the user pinned, or null. */
    public PeerId owner() {
        return pinned.isEmpty() ? null : pinned.values().iterator().next();
    }

    /** Defaults: 8 peers, a 128-chunk window, 20 s without a peer, 2 s of latency, a temporary store. */
    public static StreamRequest of(String stream) {
        return new StreamRequest(stream, List.of(), 8, 128, 20_000, 2_000, null, 0, 0, 2_000, null);
    }

    /** The same, kept in {@code dir} under its content id. */
    public StreamRequest withStoreDir(Path dir) {
        return new StreamRequest(stream, peers, maxPeers, windowChunks, noPeerTimeoutMillis, latencyMillis, storeFile,
                startOffset, rateBytesPerSecond, bufferMillis, dir, pinned);
    }

    /** The same, fetching {@code chunks} ahead of each reader. */
    public StreamRequest withWindowChunks(int chunks) {
        return new StreamRequest(stream, peers, maxPeers, chunks, noPeerTimeoutMillis, latencyMillis, storeFile,
                startOffset, rateBytesPerSecond, bufferMillis, storeDir, pinned);
    }
}
