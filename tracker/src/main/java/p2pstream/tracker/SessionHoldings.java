package p2pstream.tracker;

import java.net.InetAddress;
import p2pstream.common.wire.Peers;

/**
 * What one session holds: for each stream handle, the session's index in that stream's holder array. An
 * open-addressing table of int pairs (linear probing, deletion by backward shift): 8 bytes a slot, no object
 * per entry. Confined to the registry loop's thread.
 */
final class SessionHoldings {
    private static final int EMPTY = -1;
    private static final int INITIAL_SLOTS = 2;

    /**
     * How PEERS lists this session, encoded once: an answer copies these instead of encoding an address. Encoded
     * again when the tracker's dial-back finds the session unreachable.
     */
    byte[] asSeed;
    byte[] asPartialHolder;
    private TrackerSession.Peer peer;
    /** This session's index in the registry's session table; stream holder arrays refer to it by this. */
    final int handle;
    /** The IP address the session came from: holders are ranked by distinct hosts, not sessions. */
    final InetAddress host;
    /** A viewer (a peer-client), not a peer-server. */
    final boolean viewer;

    /** Grants this session uploaded that the registry holds (it owns those private streams). */
    int grants;

    /** Slot i is table[2i] (stream handle, or EMPTY) and table[2i + 1] (index in that stream's holders). */
    private int[] table = emptyTable(INITIAL_SLOTS);
    private int size;

    SessionHoldings(TrackerSession.Peer peer, int handle) {
        this.handle = handle;
        this.host = peer.address().getAddress();
        this.viewer = peer.viewer();
        this.peer = peer;
        reachable(true);
    }

    /** Whether others can dial this session's peer (its PEERS entries say so). */
    void reachable(boolean reachable) {
        asSeed = Peers.encodeEntry(new Peers.Entry(peer.address(), peer.peerId(), true, reachable, peer.mapped()));
        asPartialHolder = Peers.encodeEntry(new Peers.Entry(peer.address(), peer.peerId(), false, reachable,
                peer.mapped()));
    }

    /** The session's peer is reached as {@code p} says now (a mapped port): reachable there. */
    void peer(TrackerSession.Peer p) {
        this.peer = p;
        reachable(true);
    }

    int size() {
        return size;
    }

    /** The session's index in the stream's holders, or -1 when it does not hold the stream. */
    int indexIn(int stream) {
        int mask = slots() - 1;
        for (int i = hash(stream) & mask; ; i = (i + 1) & mask) {
            int key = table[2 * i];
            if (key == stream) {
                return table[2 * i + 1];
            }
            if (key == EMPTY) {
                return -1;
            }
        }
    }

    /** Records (or moves) the session's index in the stream's holders. */
    void put(int stream, int index) {
        int mask = slots() - 1;
        for (int i = hash(stream) & mask; ; i = (i + 1) & mask) {
            int key = table[2 * i];
            if (key == stream) {
                table[2 * i + 1] = index;
                return;
            }
            if (key == EMPTY) {
                table[2 * i] = stream;
                table[2 * i + 1] = index;
                // under 3/4 full (and never full): probes stay short and always end
                if (++size >= slots() - (slots() >> 2)) {
                    resize(slots() * 2);
                }
                return;
            }
        }
    }

    /** Forgets the stream; returns the session's index in its holders, or -1 when it held none. */
    int remove(int stream) {
        int mask = slots() - 1;
        int i = hash(stream) & mask;
        while (table[2 * i] != stream) {
            if (table[2 * i] == EMPTY) {
                return -1;
            }
            i = (i + 1) & mask;
        }
        int index = table[2 * i + 1];
        // backward shift: pull later members of the probe run into the gap, so lookups never need tombstones
        for (int gap = i, j = (i + 1) & mask; ; j = (j + 1) & mask) {
            int key = table[2 * j];
            if (key == EMPTY) {
                table[2 * gap] = EMPTY;
                break;
            }
            int home = hash(key) & mask;
            // j's entry may fill the gap unless its home lies cyclically in (gap, j]
            if (gap <= j ? (home <= gap || home > j) : (home <= gap && home > j)) {
                table[2 * gap] = key;
                table[2 * gap + 1] = table[2 * j + 1];
                gap = j;
            }
        }
        size--;
        if (slots() > 64 && size < slots() >> 3) {
            resize(slots() >> 1);
        }
        return index;
    }

    /** Slots in the table; {@link #streamAt} and {@link #indexAt} read them, EMPTY slots included. */
    int slots() {
        return table.length >> 1;
    }

    int streamAt(int slot) {
        return table[2 * slot];
    }

    int indexAt(int slot) {
        return table[2 * slot + 1];
    }

    private void resize(int newSlots) {
        int[] old = table;
        table = emptyTable(newSlots);
        size = 0;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != EMPTY) {
                put(old[i], old[i + 1]);
            }
        }
    }

    private static int[] emptyTable(int slots) {
        int[] t = new int[2 * slots];
        for (int i = 0; i < t.length; i += 2) {
            t[i] = EMPTY;
        }
        return t;
    }

    private static int hash(int stream) {
        int h = stream * 0x9E3779B9; // Fibonacci hashing: handles are dense small ints
        return h ^ (h >>> 16);
    }
}
