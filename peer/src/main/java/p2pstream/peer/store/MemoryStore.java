package p2pstream.peer.store;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import p2pstream.common.data.BufferData;
import p2pstream.common.data.Data;

/**
 * A file stream's chunks kept in memory, from where its slowest reader is (less what is kept to serve peers) to
 * what has been fetched ahead: the store of a viewer writing into a pipe, which thus writes no temporary file.
 * Bounded by the readers' windows, since nothing beyond them is fetched; a chunk dropped below the window is gone
 * (a reader that seeks back before it, or a peer asking for it, is refused). A chunk's buffer goes back to its pool
 * once the store has dropped it and every view handed out (to a reader, to a connection) is released, so the
 * steady path allocates nothing. Any thread.
 */
public final class MemoryStore implements Store {
    private final Manifest manifest;
    private final AtomicReferenceArray<Held> chunks;
    private final Consumer<ByteBuffer> recycle;
    /** Chunks below this were dropped. Written by the stream's loop, read by any thread. */
    private volatile int floor;

    /**
     * A kept chunk and how many hold it (its value): the store itself, and each view handed out and not yet
     * released. One object a chunk, the count included.
     */
    @SuppressWarnings("serial") // never serialized
    private static final class Held extends AtomicInteger {
        final ByteBuffer buffer;

        Held(ByteBuffer buffer) {
            super(1);
            this.buffer = buffer;
        }

        boolean acquire() {
            for (int n = get(); n > 0; n = get()) {
                if (compareAndSet(n, n + 1)) {
                    return true;
                }
            }
            return false; // released by everyone meanwhile: its buffer may be in use elsewhere already
        }

        void release(Consumer<ByteBuffer> recycle) {
            if (decrementAndGet() == 0) {
                recycle.accept(buffer);
            }
        }
    }

    /** @param recycle takes back a chunk's buffer once nobody holds it (any thread) */
    public MemoryStore(Manifest manifest, Consumer<ByteBuffer> recycle) {
        this.manifest = manifest;
        this.chunks = new AtomicReferenceArray<>(manifest.chunkCount());
        this.recycle = recycle;
    }

    @Override
    public Manifest manifest() {
        return manifest;
    }

    @Override
    public void write(int index, ByteBuffer chunk) {
        Held h = new Held(chunk);
        Held old = chunks.getAndSet(index, h);
        if (old != null) {
            old.release(recycle);
        }
        if (index < floor && chunks.compareAndSet(index, h, null)) {
            h.release(recycle); // dropped while it was being verified
        }
    }

    @Override
    public boolean retains() {
        return true;
    }

    /** A read-only view of the chunk, to be released by whoever writes it; null when the chunk is not held. */
    @Override
    public Data data(int index) {
        Held h = chunks.get(index);
        if (h == null || !h.acquire()) {
            return null;
        }
        return BufferData.shared(h.buffer.asReadOnlyBuffer(), () -> h.release(recycle));
    }

    @Override
    public Data data(int index, int from, int length) {
        Held h = chunks.get(index);
        if (h == null || !h.acquire()) {
            return null;
        }
        ByteBuffer view = h.buffer.asReadOnlyBuffer();
        view.position(view.position() + from).limit(view.position() + length);
        return BufferData.shared(view, () -> h.release(recycle));
    }

    @Override
    public boolean read(int index, ByteBuffer dst) {
        Data d = data(index);
        if (d == null) {
            return false;
        }
        try {
            dst.clear();
            dst.put(((BufferData) d).view()).flip();
            return true;
        } finally {
            d.release();
        }
    }

    /** True while chunk {@code index} is held. */
    public boolean holds(int index) {
        return chunks.get(index) != null;
    }

    @Override
    public void releaseBelow(int index) {
        int from = floor;
        int to = Math.min(index, manifest.chunkCount());
        if (to <= from) {
            return;
        }
        floor = to;
        for (int i = from; i < to; i++) {
            Held h = chunks.getAndSet(i, null);
            if (h != null) {
                h.release(recycle);
            }
        }
    }

    @Override
    public void close() {
        releaseBelow(manifest.chunkCount());
    }
}
