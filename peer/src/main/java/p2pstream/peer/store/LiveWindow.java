package p2pstream.peer.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import p2pstream.common.wire.LiveEnd;

/**
 * The bounded memory of a live stream: the last {@code capacity} chunk indexes up to the newest one held,
 * in a ring, plus the signed end once known. What falls out of the ring is forgotten; memory stays at
 * most {@code capacity} chunks. Listeners hear of every chunk added and of the end. Thread-safe: the
 * publisher's reader thread adds while serving loops read.
 */
public final class LiveWindow {
    private final LiveChunk[] ring;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private int newest = -1;
    private LiveEnd end;

    /** Hears of chunks as they are added; called on the adding thread, outside the window's lock. */
    public interface Listener {
        void onAdded(LiveChunk chunk);

        void onEnded(LiveEnd end);
    }

    public LiveWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        this.ring = new LiveChunk[capacity];
    }

    public int capacity() {
        return ring.length;
    }

    /**
     * Keeps {@code chunk} unless it is already held or older than the ring reaches.
     *
     * @return true when it was added (and listeners told)
     */
    public boolean add(LiveChunk chunk) {
        int index = chunk.index();
        synchronized (this) {
            if (index <= newest - ring.length || holds(index)) {
                return false;
            }
            ring[index % ring.length] = chunk;
            newest = Math.max(newest, index);
        }
        for (Listener l : listeners) {
            l.onAdded(chunk);
        }
        return true;
    }

    /** Records the end of the stream (once) and tells the listeners. */
    public boolean end(LiveEnd e) {
        synchronized (this) {
            if (end != null) {
                return false;
            }
            end = e;
        }
        for (Listener l : listeners) {
            l.onEnded(e);
        }
        return true;
    }

    public synchronized LiveEnd end() {
        return end;
    }

    /** The chunk at {@code index}, or null when it is not (or no longer) held. */
    public synchronized LiveChunk get(int index) {
        if (index < 0 || index <= newest - ring.length) {
            return null;
        }
        LiveChunk c = ring[index % ring.length];
        return c != null && c.index() == index ? c : null;
    }

    public synchronized boolean holds(int index) {
        return get(index) != null;
    }

    /** The newest index held, -1 before the first chunk. */
    public synchronized int newest() {
        return newest;
    }

    /** The indexes held, oldest first. */
    public synchronized List<Integer> indexes() {
        List<Integer> list = new ArrayList<>();
        for (int i = Math.max(0, newest - ring.length + 1); i <= newest; i++) {
            if (get(i) != null) {
                list.add(i);
            }
        }
        return list;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public void removeListener(Listener l) {
        listeners.remove(l);
    }
}
