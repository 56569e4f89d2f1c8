package p2pstream.peer.client.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import p2pstream.common.net.EventLoop;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.Store;

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

    /**
     * Reads chunk {@code index} from {@code store} into {@code into} and checks it (resume); runs
     * {@code onVerdict} on the loop with whether it matched. An unreadable chunk counts as not matching.
     */
    void verifyStored(Manifest manifest, int index, ChunkStore store, ByteBuffer into, Consumer<Boolean> onVerdict) {
        pool.execute(() -> {
            boolean good;
            try {
                good = store.read(index, into);
                if (good) {
                    MessageDigest digest = digests.get();
                    digest.update(into.duplicate());
                    good = manifest.matches(index, digest.digest());
                }
            } catch (IOException e) {
                good = false;
            }
            boolean verdict = good;
            loop.execute(() -> onVerdict.accept(verdict));
        });
    }

    /** Whether a chunk matched its hash, and why storing it failed if it did (null: stored, or no store). */
    record Verdict(boolean good, String writeError) {
    }

    /**
     * Hashes {@code chunk} (left unconsumed); a good one is written to {@code store} (if any) before the
     * verdict runs on the loop, so a chunk is never announced before its bytes can be served.
     */
    void submit(Manifest manifest, int index, ByteBuffer chunk, Store store, Consumer<Verdict> onVerdict) {
        pool.execute(() -> {
            MessageDigest digest = digests.get();
            digest.update(chunk.duplicate());
            boolean good = manifest.matches(index, digest.digest());
            String writeError = null;
            if (good && store != null) {
                try {
                    store.write(index, chunk);
                } catch (IOException e) {
                    writeError = e.getMessage() == null ? e.toString() : e.getMessage();
                }
            }
            Verdict verdict = new Verdict(good, writeError);
            loop.execute(() -> onVerdict.accept(verdict));
        });
    }
}
