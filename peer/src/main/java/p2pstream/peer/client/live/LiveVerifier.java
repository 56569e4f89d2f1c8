package p2pstream.peer.client.live;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;
import p2pstream.peer.store.Manifest;

/**
 * Checks live chunks before a viewer keeps them: the publisher's signature on a worker pool (the verdict comes
 * back to the loop as a task), then, against what the viewer holds, that a validly signed chunk or end is not
 * an old one replayed. {@link #submit} on the loop thread; the checks are pure.
 */
final class LiveVerifier {
    private final Executor pool;
    private final EventLoop loop;

    LiveVerifier(Executor pool, EventLoop loop) {
        this.pool = pool;
        this.loop = loop;
    }

    /** Copies the chunk's bytes, checks its signature on the pool, and runs {@code onVerdict} on the loop. */
    void submit(LiveManifest manifest, LiveChunkHeader header, ByteBuffer payload,
                BiConsumer<LiveChunk, Boolean> onVerdict) {
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
        copy.put(payload).flip();
        pool.execute(() -> {
            boolean good = manifest.verifiesChunk(header.index(), header.publishMicros(),
                    Manifest.sha256().digest(copy.array()), header.signature());
            loop.execute(() -> onVerdict.accept(new LiveChunk(header, copy), good));
        });
    }

    /**
     * Why a validly signed chunk is a replay, or null: published longer ago than {@code maxAgeMillis} (by our
     * clock), before a held chunk with a lower index, after one with a higher index, or after the end.
     */
    static String replayProblem(LiveChunk chunk, LiveWindow window, LiveEnd end, long delayMicros, long maxAgeMillis) {
        int index = chunk.index();
        if (delayMicros > maxAgeMillis * 1000) {
            return "live chunk " + index + ": published " + delayMicros / 1000 + " ms ago (expected: within "
                    + maxAgeMillis + " ms; a replay)";
        }
        int floor = Math.max(0, window.newest() - window.capacity() + 1);
        for (int i = index - 1; i >= floor; i--) {
            LiveChunk before = window.get(i);
            if (before != null) {
                if (before.publishMicros() > chunk.publishMicros()) {
                    return outOfOrder(chunk, before);
                }
                break;
            }
        }
        for (int i = index + 1; i <= window.newest(); i++) {
            LiveChunk after = window.get(i);
            if (after != null) {
                return after.publishMicros() < chunk.publishMicros() ? outOfOrder(chunk, after) : null;
            }
        }
        if (end != null && end.endMicros() < chunk.publishMicros()) {
            return "live chunk " + index + ": published " + chunk.publishMicros() + " (expected: before the end at "
                    + end.endMicros() + "; a replay)";
        }
        return null;
    }

    /**
     * Why a received end is forged or a replay, or null: it must verify, be recent, and come after every chunk held.
     */
    static String endProblem(LiveEnd end, LiveManifest manifest, LiveWindow window, long maxAgeMillis, long nowMicros) {
        if (!manifest.verifiesEnd(end.chunkCount(), end.endMicros(), end.signature())) {
            return "live end: signature does not verify";
        }
        long ageMillis = (nowMicros - end.endMicros()) / 1000;
        if (ageMillis > maxAgeMillis && window.newest() >= 0) {
            return "live end: " + ageMillis + " ms ago (expected: within " + maxAgeMillis + " ms; a replay)";
        }
        LiveChunk newest = window.newest() < 0 ? null : window.get(window.newest());
        if (newest != null && (end.chunkCount() <= newest.index() || end.endMicros() < newest.publishMicros())) {
            return "live end after " + end.chunkCount() + " chunks: before chunk " + newest.index()
                    + " (expected: after every chunk; a replay)";
        }
        return null;
    }

    private static String outOfOrder(LiveChunk chunk, LiveChunk neighbour) {
        return "live chunk " + chunk.index() + ": published " + chunk.publishMicros()
                + " (expected: in index order with chunk " + neighbour.index() + " published "
                + neighbour.publishMicros() + "; a replay)";
    }
}
