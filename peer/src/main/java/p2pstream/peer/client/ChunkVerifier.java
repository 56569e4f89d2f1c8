package p2pstream.peer.client;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import p2pstream.common.net.EventLoop;
import p2pstream.peer.store.Manifest;

/**
 * Checks chunks against the manifest on a worker pool, so hashing (the costliest step of a download) runs
 * beside the network loop; each verdict comes back to the loop as a task. {@link #submit} is called on the
 * loop thread; the pool is bounded by the window, since only chunks in the window are ever submitted.
 */
final class ChunkVerifier {
    private final Executor pool;
    private final EventLoop loop;
    private final ThreadLocal<MessageDigest> digests = ThreadLocal.withInitial(Manifest::sha256);

    ChunkVerifier(Executor pool, EventLoop loop) {
        this.pool = pool;
        this.loop = loop;
    }

    /** Hashes {@code chunk} (left unconsumed) and runs {@code onVerdict} on the loop with true if it matches. */
    void submit(Manifest manifest, int index, ByteBuffer chunk, Consumer<Boolean> onVerdict) {
        pool.execute(() -> {
            MessageDigest digest = digests.get();
            digest.update(chunk.duplicate());
            boolean good = manifest.matches(index, digest.digest());
            loop.execute(() -> onVerdict.accept(good));
        });
    }
}
