package p2pstream.peer.client.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import p2pstream.common.net.EventLoop;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.Store;

/**
 * Checks chunks against the manifest on a worker pool, so hashing (the costliest step of a download) runs
 * beside the network loop; each verdict comes back to the loop as a task. {@link Check#submit} is called on the
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

    /** A check of one chunk at a time for {@code onVerdict}, to be reused: see {@link Check}. */
    <T> Check<T> check(Consumer<Check<T>> onVerdict) {
        return new Check<>(this, onVerdict);
    }

    /**
     * One chunk on its way through the verifier: hashed on the pool (in place, its position left as it was), a good
     * one written to the store (if any) before the verdict runs on the loop, so a chunk is never announced before
     * its bytes can be served. Reused from chunk to chunk by its owner, so the steady path allocates nothing of its
     * own. Filled and read on the loop thread; the pool thread has it in between.
     *
     * @param <T> what the owner notes with the chunk (the peer it came from)
     */
    static final class Check<T> implements Runnable {
        private final ChunkVerifier verifier;
        private final Consumer<Check<T>> onVerdict;
        private final Runnable verdict = this::verdict;
        private final byte[] sha256 = new byte[Manifest.HASH_BYTES];
        private Manifest manifest;
        private Store store;
        private int index;
        private ByteBuffer chunk;
        private T from;
        private boolean good;
        private String writeError;

        private Check(ChunkVerifier verifier, Consumer<Check<T>> onVerdict) {
            this.verifier = verifier;
            this.onVerdict = onVerdict;
        }

        /** Checks chunk {@code index}, the remaining bytes of {@code chunk}, and keeps a good one in {@code store}. */
        void submit(Manifest m, int i, ByteBuffer bytes, Store s, T note) {
            manifest = m;
            index = i;
            chunk = bytes;
            store = s;
            from = note;
            verifier.pool.execute(this);
        }

        @Override
        public void run() {
            MessageDigest digest = verifier.digests.get();
            int position = chunk.position();
            digest.update(chunk); // a direct buffer's bytes, consumed: put back below
            chunk.position(position);
            try {
                digest.digest(sha256, 0, sha256.length);
                good = manifest.matches(index, sha256);
            } catch (DigestException e) {
                good = false; // the output fits: never happens
            }
            writeError = null;
            if (good && store != null) {
                try {
                    store.write(index, chunk);
                } catch (IOException e) {
                    writeError = e.getMessage() == null ? e.toString() : e.getMessage();
                }
            }
            verifier.loop.execute(verdict);
        }

        private void verdict() {
            onVerdict.accept(this);
        }

        int index() {
            return index;
        }

        ByteBuffer chunk() {
            return chunk;
        }

        T from() {
            return from;
        }

        /** True when the chunk matched its hash. */
        boolean good() {
            return good;
        }

        /** Why storing a good chunk failed; null when it was stored (or there is no store). */
        String writeError() {
            return writeError;
        }

        /** Forgets the chunk and its note, so a check waiting for reuse holds neither. */
        void clear() {
            chunk = null;
            from = null;
            store = null;
        }
    }
}
