package p2pstream.peer.client.file;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import p2pstream.common.access.Grant;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.data.BufferData;
import p2pstream.common.data.Data;
import p2pstream.common.net.Connection;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.peer.server.FileHolding;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.MemoryStore;
import p2pstream.peer.store.Store;
import p2pstream.peer.tracker.TrackerClient;

/**
 * What a viewer holds of a file stream: the verified chunks in its {@link Store}, served to other viewers and
 * announced to them (HAVE) as they arrive; from a memory store, only those it still keeps. Confined to the
 * viewer's loop thread, which is
 * also the thread of every session serving it.
 */
final class StoreHolding implements FileHolding {
    private final Store store;
    private final ManifestMessage manifestMessage;
    private final BitSet held = new BitSet();
    private final List<Subscriber> subscribers = new ArrayList<>();
    private long lastAnnounceNanos;
    private int announced;

    StoreHolding(Store store) {
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
     * {@code intervalMillis}, so a fast download costs the tracker a few frames a second. With {@code grant} (ours,
     * for a private stream) as a PRIVATE_ANNOUNCE.
     */
    void announceIfDue(TrackerClient tracker, long nowNanos, long intervalMillis, Grant grant) {
        int count = count();
        boolean due = announced == 0 || holdsAll() || nowNanos - lastAnnounceNanos > intervalMillis * 1_000_000;
        if (count > 0 && count != announced && due) {
            if (grant == null) {
                tracker.announce(announcement());
            } else {
                // a private stream: the tracker names us only to grantees, and takes our grant as our right to it
                tracker.announce(new PrivateAnnounce(announcement(), List.of(grant)));
            }
            announced = count;
            lastAnnounceNanos = nowNanos;
        }
    }

    /** The next {@link #announceIfDue} announces at once (what we announced was withdrawn). */
    void reannounce() {
        announced = 0;
    }

    Store store() {
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
        return held.get(index) && (!(store instanceof MemoryStore memory) || memory.holds(index));
    }

    @Override
    public BitSet held() {
        BitSet copy = (BitSet) held.clone();
        if (store instanceof MemoryStore memory) {
            for (int i = copy.nextSetBit(0); i >= 0; i = copy.nextSetBit(i + 1)) {
                if (!memory.holds(i)) {
                    copy.clear(i); // dropped below the window: not to be offered any more
                }
            }
        }
        return copy;
    }

    @Override
    public long sendChunk(Connection c, int index) {
        if (store instanceof ChunkStore file) {
            return FileHolding.sendRegion(c, manifest(), file.channel(), index, null);
        }
        Data d = store.data(index);
        if (d == null) {
            return -1; // dropped below the window since it was announced
        }
        int length = manifest().chunkLength(index);
        c.send(BufferData.of(ChunkHeader.encode(index, length)));
        c.send(d);
        return ChunkHeader.BYTES + length;
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
