package p2pstream.peer.server;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import p2pstream.common.data.BufferData;
import p2pstream.common.net.Clock;
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
 * after its first copy left (see {@link Reveal}), so a publisher with a small upload sends each chunk to a few
 * viewers who pass it on, instead of to everyone (0 fanout: everyone at once, as relays do). Thread-safe: the
 * window's adder thread and serving loops call it.
 */
public final class LiveHolding implements Holding, LiveWindow.Listener {
    private final Clock clock;
    private final LiveManifest manifest;
    private final ManifestMessage manifestMessage;
    private final LiveWindow window;
    private final int fanout;
    private final long revealDelayMillis;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    /** Null when everyone is told at once. */
    private final Reveal reveal;
    private int turn;

    public LiveHolding(LiveManifest manifest, LiveWindow window, int fanout, long revealDelayMillis) {
        this(manifest, window, fanout, revealDelayMillis, Clock.SYSTEM);
    }

    /** @param clock the reveal's time: when a chunk was added and its first copy left */
    public LiveHolding(LiveManifest manifest, LiveWindow window, int fanout, long revealDelayMillis, Clock clock) {
        this.clock = clock;
        this.manifest = manifest;
        this.manifestMessage = new ManifestMessage(manifest.encoded());
        this.window = window;
        this.fanout = fanout;
        this.revealDelayMillis = revealDelayMillis;
        this.reveal = fanout > 0 && revealDelayMillis > 0 ? new Reveal(revealDelayMillis, window.capacity()) : null;
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
        if (reveal != null) {
            reveal.onSent(index, clock.nanoTime());
        }
        return LiveChunkHeader.BYTES + chunk.length();
    }

    @Override
    public void onAsked(int index) {
        if (reveal != null) {
            reveal.onAsked(index);
        }
    }

    @Override
    public void onUnasked(int index) {
        if (reveal != null) {
            reveal.onUnasked(index);
        }
    }

    @Override
    public long revealWaitNanos(int index) {
        return reveal == null ? 0 : reveal.waitNanos(index, clock.nanoTime());
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
        if (reveal != null) {
            reveal.onAdded(chunk.index(), clock.nanoTime());
        }
        Subscriber[] all = subscribers.toArray(new Subscriber[0]);
        boolean[] now = new boolean[all.length];
        if (fanout <= 0) {
            Arrays.fill(now, true);
        } else if (all.length > 0) {
            int start;
            synchronized (this) {
                start = turn;
                turn += fanout;
            }
            // in turn, a peer past joining: one still joining would sit on the chunk while the others wait for the
            // reveal; with none joined yet, whoever is next
            int told = tellInTurn(all, now, start, true, 0);
            tellInTurn(all, now, start, false, told);
        }
        for (int i = 0; i < all.length; i++) {
            all[i].onHave(chunk.index(), now[i] ? 0 : revealDelayMillis);
        }
    }

    private int tellInTurn(Subscriber[] all, boolean[] now, int start, boolean joinedOnly, int told) {
        for (int k = 0; k < all.length && told < fanout; k++) {
            int i = Math.floorMod(start + k, all.length);
            if (!now[i] && (!joinedOnly || all[i].isJoined())) {
                now[i] = true;
                told++;
            }
        }
        return told;
    }

    @Override
    public void onEnded(LiveEnd end) {
        for (Subscriber s : subscribers) {
            s.onEnd(end);
        }
    }
}
