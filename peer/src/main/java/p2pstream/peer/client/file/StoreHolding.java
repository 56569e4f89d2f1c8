package p2pstream.peer.client.file;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import p2pstream.common.net.Connection;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.peer.server.FileHolding;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.tracker.TrackerClient;

/**
 * What a viewer holds of the stream it watches: the verified chunks in its {@link ChunkStore}, served to
 * other viewers and announced to them (HAVE) as they arrive. Confined to the viewer's loop thread, which is
 * also the thread of every session serving it.
 */
final class StoreHolding implements FileHolding {
    private final ChunkStore store;
    private final ManifestMessage manifestMessage;
    private final BitSet held = new BitSet();
    private final List<Subscriber> subscribers = new ArrayList<>();
    private long lastAnnounceNanos;
    private int announced;

    StoreHolding(ChunkStore store) {
        this.store = store;
        this.manifestMessage = new ManifestMessage(store.manifest().encoded());
    }

    /** Chunk {@code index} is verified and written: serve it, and tell those being served. */
    void add(int index) {
        if (!held.get(index)) {
            held.set(index);
            for (Subscriber s : List.copyOf(subscribers)) {
                s.onHave(index, 0);
            }
        }
    }

    int count() {
        return held.cardinality();
    }

    /** How this viewer appears in the tracker: a partial holder, complete once it holds every chunk. */
    Announce announcement() {
        Manifest m = store.manifest();
        return new Announce(m.contentId(), m.name(), m.size(), m.chunkSize(), m.chunkCount(), count());
    }

    /**
     * Tells the tracker how much this viewer holds: at once for the first chunk and the last, else at most every
     * {@code intervalMillis}, so a fast download costs the tracker a few frames a second.
     */
    void announceIfDue(TrackerClient tracker, long nowNanos, long intervalMillis) {
        int count = count();
        boolean due = announced == 0 || holdsAll() || nowNanos - lastAnnounceNanos > intervalMillis * 1_000_000;
        if (count > 0 && count != announced && due) {
            tracker.announce(announcement());
            announced = count;
            lastAnnounceNanos = nowNanos;
        }
    }

    ChunkStore store() {
        return store;
    }

    @Override
    public Manifest manifest() {
        return store.manifest();
    }

    @Override
    public ManifestMessage manifestMessage() {
        return manifestMessage;
    }

    @Override
    public boolean holdsAll() {
        return count() == store.manifest().chunkCount();
    }

    @Override
    public boolean holds(int index) {
        return held.get(index);
    }

    @Override
    public BitSet held() {
        return (BitSet) held.clone();
    }

    @Override
    public long sendChunk(Connection c, int index) {
        return FileHolding.sendRegion(c, manifest(), store.channel(), index, null);
    }

    @Override
    public void subscribe(Subscriber s) {
        subscribers.add(s);
    }

    @Override
    public void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }
}
