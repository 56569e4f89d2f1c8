package p2pstream.tracker;

import java.util.Arrays;
import java.util.SplittableRandom;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;

/**
 * One stream the tracker knows and the sessions holding it. The holders are a compact array of session
 * handles, each with its complete bit ({@code handle << 1 | complete}): 4 bytes a holder, O(1) to add, to
 * remove (the last holder moves into the gap) and to sample. Confined to the registry loop's thread.
 */
final class StreamEntry {
    private static final int INITIAL_HOLDERS = 2;

    final ContentId contentId;
    final String name;
    final long size;
    final int chunkSize;
    /** This stream's index in the registry's stream table; session holdings refer to it by this. */
    final int handle;
    /** A private stream's owner and grants; null for a public stream. Fixed when the entry is made. */
    final StreamGrants access;
    /** The next stream with the same name (different content), or null: names rarely map to more than one. */
    StreamEntry nextWithSameName;

    /**
     * Distinct hosts (IP addresses) holding any of the stream, and all of it: a name's streams are ranked by
     * these, so many sessions from one address cannot outvote honest seeds. Kept by the registry.
     */
    int hostHolders;
    int hostSeeds;
    /** Holders that are viewers (peer-clients), not peer-servers: a live stream's audience. Kept by the registry. */
    int viewers;

    private int[] holders = new int[INITIAL_HOLDERS];
    private int count;
    private int seeds;

    /** @param owner a private stream's owner, or null for a public stream */
    StreamEntry(Announce a, int handle, PeerId owner) {
        this.contentId = a.contentId();
        this.name = a.name();
        this.size = a.size();
        this.chunkSize = a.chunkSize();
        this.handle = handle;
        this.access = owner == null ? null : new StreamGrants(owner);
    }

    /** Same content metadata as earlier announcements, and as public or private of the same owner; else refused. */
    boolean matches(Announce a, PeerId owner) {
        return size == a.size() && chunkSize == a.chunkSize() && name.equals(a.name())
                && (access == null ? owner == null : access.owner.equals(owner));
    }

    /** Whether the session proved to be {@code asker} (null: none) may know of this stream at {@code nowMillis}. */
    boolean visibleTo(PeerId asker, long nowMillis) {
        return access == null || access.visibleTo(asker, contentId, name, nowMillis);
    }

    int holderCount() {
        return count;
    }

    int seedCount() {
        return seeds;
    }

    int sessionAt(int index) {
        return holders[index] >>> 1;
    }

    boolean completeAt(int index) {
        return (holders[index] & 1) != 0;
    }

    /** Appends a holder; returns its index. */
    int add(int session, boolean complete) {
        if (count == holders.length) {
            holders = Arrays.copyOf(holders, count + (count >> 1) + 1);
        }
        holders[count] = session << 1 | (complete ? 1 : 0);
        if (complete) {
            seeds++;
        }
        return count++;
    }

    void complete(int index, boolean complete) {
        if (complete != completeAt(index)) {
            seeds += complete ? 1 : -1;
            holders[index] ^= 1;
        }
    }

    /**
     * Removes the holder at {@code index} by moving the last one into its place. Returns the session handle of
     * the holder that moved to {@code index}, or -1 when none moved (it was the last).
     */
    int removeAt(int index) {
        if (completeAt(index)) {
            seeds--;
        }
        int last = --count;
        int moved = -1;
        if (index != last) {
            holders[index] = holders[last];
            moved = holders[index] >>> 1;
        }
        // give memory back after a crowd leaves, with slack so a stream near the boundary does not flap
        if (holders.length > 16 && count < holders.length >> 2) {
            holders = Arrays.copyOf(holders, holders.length >> 1);
        }
        return moved;
    }

    /**
     * Writes to {@code out} the indexes of a uniform random sample of at most {@code max} holders, in random
     * order, never the one at {@code skip} (-1: skip none); returns how many. {@code marks} and {@code generation}
     * are the caller's scratch space: marks[i] == generation means index i is taken in this sample (Floyd's
     * algorithm: O(sample), whatever the number of holders).
     */
    int sample(int max, int skip, SplittableRandom random, int[] out, int[] marks, int generation) {
        int n = skip >= 0 ? count - 1 : count;
        int k = Math.min(max, n);
        for (int j = n - k, taken = 0; j < n; j++, taken++) {
            int t = random.nextInt(j + 1);
            if (marks[t] == generation) {
                t = j;
            }
            marks[t] = generation;
            out[taken] = t;
        }
        // Floyd's picks a uniform set, not a uniform order: shuffle it, so clients that use the first few peers
        // spread their load
        for (int i = k - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        if (skip >= 0) {
            for (int i = 0; i < k; i++) {
                if (out[i] >= skip) {
                    out[i]++;
                }
            }
        }
        return k;
    }
}
