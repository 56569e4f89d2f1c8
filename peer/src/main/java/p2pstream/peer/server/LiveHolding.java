package p2pstream.peer.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import p2pstream.common.data.BufferData;
import p2pstream.common.net.Connection;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;

/**
 * A live stream served from its in-memory {@link LiveWindow}: by its publisher, or relayed by a viewer. A new
 * chunk is announced at once to {@code fanout} served peers in turn and to the others {@code revealDelayMillis}
 * later, so a publisher with a small upload sends each chunk to a few viewers who pass it on, instead of to
 * everyone (0 fanout: everyone at once, as relays do). Thread-safe: the window's adder thread and serving
 * loops call it.
 */
public final class LiveHolding implements Holding, LiveWindow.Listener {
    private final LiveManifest manifest;
    private final ManifestMessage manifestMessage;
    private final LiveWindow window;
    private final int fanout;
    private final long revealDelayMillis;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private int turn;

    public LiveHolding(LiveManifest manifest, LiveWindow window, int fanout, long revealDelayMillis) {
        this.manifest = manifest;
        this.manifestMessage = new ManifestMessage(manifest.encoded());
        this.window = window;
        this.fanout = fanout;
        this.revealDelayMillis = revealDelayMillis;
        window.addListener(this);
    }

    public LiveManifest manifest() {
        return manifest;
    }

    public LiveWindow window() {
        return window;
    }

    /** Served peers being told of new chunks. */
    public int subscriberCount() {
        return subscribers.size();
    }

    @Override
    public String name() {
        return manifest.name();
    }

    @Override
    public ManifestMessage manifestMessage() {
        return manifestMessage;
    }

    @Override
    public int indexLimit() {
        return Integer.MAX_VALUE;
    }

    @Override
    public boolean holds(int index) {
        return window.holds(index);
    }

    @Override
    public void sendAvailability(Connection c, Subscriber s) {
        subscribers.add(s); // first, so a chunk added meanwhile is told twice rather than never
        for (int index : window.indexes()) {
            c.send(IndexMessage.have(index));
        }
        LiveEnd end = window.end();
        if (end != null) {
            c.send(end);
        }
    }

    @Override
    public long sendChunk(Connection c, int index) {
        LiveChunk chunk = window.get(index);
        if (chunk == null) {
            return -1;
        }
        c.send(BufferData.of(chunk.frameHead()));
        c.send(BufferData.of(chunk.bytes()));
        return LiveChunkHeader.BYTES + chunk.length();
    }

    @Override
    public long sendAheadBytes() {
        return 2L * manifest.chunkSize();
    }

    @Override
    public void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }

    @Override
    public void onAdded(LiveChunk chunk) {
        Subscriber[] all = subscribers.toArray(new Subscriber[0]);
        int first;
        synchronized (this) {
            first = all.length == 0 ? 0 : Math.floorMod(turn, all.length);
            turn += Math.max(1, fanout);
        }
        for (int i = 0; i < all.length; i++) {
            // the i-th subscriber after this chunk's first is among the fanout when i < fanout
            int rank = Math.floorMod(i - first, all.length);
            boolean now = fanout <= 0 || rank < fanout;
            all[i].onHave(chunk.index(), now ? 0 : revealDelayMillis);
        }
    }

    @Override
    public void onEnded(LiveEnd end) {
        for (Subscriber s : subscribers) {
            s.onEnd(end);
        }
    }
}
