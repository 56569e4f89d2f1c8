package p2pstream.peer.schedule;

import java.util.BitSet;

/**
 * The chunk-selection policy of a file stream, as a pure state machine over arrays: no I/O, no clock (the
 * caller passes rates and ages). It knows which chunks are missing, requested or done, how many connected
 * peers hold each, and the playheads of the stream's readers, each with a window {@code [playhead, playhead +
 * window)} whose first {@code urgent} chunks are urgent; it answers "which chunk should this peer send next".
 * With several readers the urgent parts are interleaved (each reader's next chunk in turn) and the windows'
 * union is fetched rarest first. docs/SCHEDULING.md explains the policy. Confined to the stream's loop thread.
 */
public final class Scheduler {
    /** {@link #next} found nothing to ask this peer for. */
    public static final int NONE = -1;

    private final int chunkCount;
    private final int window;
    private final int urgent;
    /** Outstanding requests per chunk (duplicates make it 2); -1 once the chunk is done. */
    private final int[] requests;
    /** Connected partial holders of each chunk; holders of everything are counted once in {@link #seeds}. */
    private final int[] holders;
    private int seeds;
    /** Connected peers that hold part of the stream (viewers). */
    private int viewers;
    /** The readers' playheads, {@code heads[0..readers)}; one reader at 0 until told otherwise. */
    private int[] heads = {0};
    private int readers = 1;
    /** The reader whose urgent chunk comes first in the next scan: turns rotate so readers share peers fairly. */
    private int turn;
    private int done;

    /**
     * @param window chunks fetched ahead of each reader's playhead, at most
     * @param urgent the first chunks of each window, fetched in order before anything else
     */
    public Scheduler(int chunkCount, int window, int urgent) {
        if (chunkCount < 0 || window < 1 || urgent < 1 || urgent > window) {
            throw new IllegalArgumentException("scheduler: " + chunkCount + " chunks, window " + window + ", urgent "
                    + urgent + " (expected: count >= 0, 1 <= urgent <= window)");
        }
        this.chunkCount = chunkCount;
        this.window = window;
        this.urgent = urgent;
        this.requests = new int[chunkCount];
        this.holders = new int[chunkCount];
    }

    public int chunkCount() {
        return chunkCount;
    }

    /** The lowest playhead of the readers (chunkCount when there is none). */
    public int playhead() {
        int min = chunkCount;
        for (int r = 0; r < readers; r++) {
            min = Math.min(min, heads[r]);
        }
        return min;
    }

    public int window() {
        return window;
    }

    /** Chunks verified so far. */
    public int doneCount() {
        return done;
    }

    public boolean isComplete() {
        return done == chunkCount;
    }

    public boolean isDone(int index) {
        return requests[index] < 0;
    }

    /** One reader: it needs chunk {@code index} next (a playhead only moves forward this way). */
    public void playhead(int index) {
        int head = Math.max(readers == 1 ? heads[0] : 0, Math.min(index, chunkCount));
        playheads(new int[] {head}, 1);
    }

    /**
     * The readers' playheads now (any order, any moves: a reader may seek back); {@code count} 0 means no
     * reader, so nothing is wanted. The array is copied.
     */
    public void playheads(int[] playheads, int count) {
        if (heads.length < count) {
            heads = new int[count];
        }
        for (int r = 0; r < count; r++) {
            heads[r] = Math.max(0, Math.min(playheads[r], chunkCount));
        }
        readers = count;
        if (turn >= Math.max(1, count)) {
            turn = 0;
        }
    }

    // ---- availability ----

    public void addSeed() {
        seeds++;
    }

    public void removeSeed() {
        seeds--;
    }

    /** A viewer (partial holder) connected; its chunks follow with {@link #addHolder}. */
    public void addViewer() {
        viewers++;
    }

    public void removeViewer() {
        viewers--;
    }

    /** A connected peer announced it holds {@code index}. */
    public void addHolder(int index) {
        holders[index]++;
    }

    /** A partial holder left: forget what it held. */
    public void removeHolder(BitSet held) {
        for (int i = held.nextSetBit(0); i >= 0 && i < chunkCount; i = held.nextSetBit(i + 1)) {
            holders[i]--;
        }
    }

    public int availability(int index) {
        return seeds + holders[index];
    }

    // ---- requests ----

    /**
     * The next chunk to request from a peer that holds {@code held} (null: holds everything): the first
     * missing unrequested chunk of the urgent part, in order; else the rarest missing unrequested chunk of
     * the rest of the window, lowest index on ties. NONE when the peer can offer nothing new.
     */
    public int next(BitSet held) {
        return next(held, false);
    }

    /**
     * As {@link #next(BitSet)}, for a peer that may be a {@code seed} (holds the whole stream, such as the
     * origin): once other viewers are connected a seed is asked only for the urgent part, so viewers fetch ahead
     * from each other and the origin's upload goes to what someone needs now; urgent chunks come from anyone.
     */
    public int next(BitSet held, boolean seed) {
        // urgent parts first, the readers' k-th chunks in turn, so one reader's backlog cannot starve another's
        for (int k = 0; k < urgent; k++) {
            for (int n = 0; n < readers; n++) {
                int r = (turn + n) % readers;
                int i = heads[r] + k;
                if (i < chunkCount && requests[i] == 0 && (held == null || held.get(i))) {
                    turn = (r + 1) % readers;
                    return i;
                }
            }
        }
        if (seed && viewers > 0) {
            return NONE;
        }
        int best = NONE;
        int bestAvailability = Integer.MAX_VALUE;
        for (int r = 0; r < readers; r++) {
            int end = Math.min(chunkCount, heads[r] + window);
            for (int i = Math.min(end, heads[r] + urgent); i < end; i++) {
                if (requests[i] == 0 && (held == null || held.get(i))) {
                    int a = availability(i);
                    if (a < bestAvailability || (a == bestAvailability && i < best)) {
                        best = i;
                        bestAvailability = a;
                    }
                }
            }
        }
        return best;
    }

    /**
     * A chunk of the urgent part worth requesting again from a faster peer: requested once, not from
     * {@code asker}, and {@code eta} says the asker would deliver it well before its current peer.
     * NONE when no chunk is at risk.
     *
     * @param eta for chunk i and a peer slot, the expected nanoseconds until that peer delivers it
     *            (for the asker: if asked now)
     */
    public int duplicate(BitSet held, int asker, Owner owner, Eta eta) {
        for (int r = 0; r < readers; r++) {
            int end = Math.min(chunkCount, heads[r] + urgent);
            for (int i = heads[r]; i < end; i++) {
                if (requests[i] != 1 || (held != null && !held.get(i))) {
                    continue;
                }
                int current = owner.of(i);
                if (current == asker || current < 0) {
                    continue; // ours already, or arrived and being verified
                }
                // twice as fast, so the duplicate pays off even if the first copy is only half late
                if (eta.nanos(i, asker) * 2 < eta.nanos(i, current)) {
                    return i;
                }
            }
        }
        return NONE;
    }

    public void requested(int index) {
        requests[index]++;
    }

    /** A request ended without the chunk (cancel, reject, timeout, peer gone): it can be asked again. */
    public void unrequested(int index) {
        if (requests[index] > 0) {
            requests[index]--;
        }
    }

    /** A verified chunk arrived; returns false if it was already done (a late duplicate). */
    public boolean completed(int index) {
        if (requests[index] < 0) {
            return false;
        }
        requests[index] = -1;
        done++;
        return true;
    }

    /** True when some chunk of a reader's window is not verified yet. */
    public boolean missingInWindow() {
        for (int r = 0; r < readers; r++) {
            int end = Math.min(chunkCount, heads[r] + window);
            for (int i = heads[r]; i < end; i++) {
                if (requests[i] >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True when chunk {@code index} lies in some reader's window: a reader needs it soon. */
    public boolean inWindow(int index) {
        for (int r = 0; r < readers; r++) {
            if (index >= heads[r] && index < heads[r] + window) {
                return true;
            }
        }
        return false;
    }

    /** Which peer slot has the request of a chunk outstanding, or -1 when none has (it arrived). */
    @FunctionalInterface
    public interface Owner {
        int of(int index);
    }

    /** Expected delivery time of chunk {@code index} from peer {@code slot}. */
    @FunctionalInterface
    public interface Eta {
        long nanos(int index, int slot);
    }

    /**
     * Requests to keep outstanding at a peer delivering {@code bytesPerSecond} (0 = not measured yet): enough
     * to cover a quarter second of its rate, so the link never idles between chunks, bounded to 2..24.
     */
    public static int pipelineDepth(double bytesPerSecond, int chunkSize) {
        if (bytesPerSecond <= 0) {
            return 4;
        }
        double chunksPerQuarterSecond = bytesPerSecond * 0.25 / chunkSize;
        return (int) Math.max(2, Math.min(24, Math.ceil(chunksPerQuarterSecond) + 2));
    }

    /**
     * How long a peer that owes chunks may deliver no byte at all before it counts as stalled: four chunk
     * times at its measured rate, at least {@code minMillis} (twice that before any rate is measured).
     */
    public static long stallTimeoutMillis(double bytesPerSecond, int chunkSize, long minMillis) {
        if (bytesPerSecond <= 0) {
            return 2 * minMillis;
        }
        return Math.max(minMillis, (long) (4_000.0 * chunkSize / bytesPerSecond));
    }
}
