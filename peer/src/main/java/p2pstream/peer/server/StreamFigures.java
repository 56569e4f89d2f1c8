package p2pstream.peer.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a peer-server served of one stream: bytes and chunks sent, and the peers being served it now. Updated by
 * the serving sessions on every loop, read by the pages: thread-safe.
 */
final class StreamFigures {
    private final LongAdder sentBytes = new LongAdder();
    private final LongAdder chunks = new LongAdder();
    private final AtomicInteger peers = new AtomicInteger();

    void onChunkSent(long bytes) {
        sentBytes.add(bytes);
        chunks.increment();
    }

    void onServing() {
        peers.incrementAndGet();
    }

    void onServingEnded() {
        peers.decrementAndGet();
    }

    long sentBytes() {
        return sentBytes.sum();
    }

    long chunks() {
        return chunks.sum();
    }

    int peers() {
        return peers.get();
    }
}
