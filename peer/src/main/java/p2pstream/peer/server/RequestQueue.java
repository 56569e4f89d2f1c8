package p2pstream.peer.server;

/**
 * A bounded FIFO of requested chunk indexes. Membership is a scan of at most the capacity: live indexes grow
 * without bound, so a bitmap indexed by chunk would grow with the stream's age. Its serving session's loop thread
 * only.
 */
final class RequestQueue {
    private final int[] ring;
    private int head;
    private int size;

    RequestQueue(int capacity) {
        ring = new int[capacity];
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds an index not queued yet (see {@link #contains}). False when full. */
    boolean offer(int index) {
        if (size == ring.length) {
            return false;
        }
        ring[(head + size++) % ring.length] = index;
        return true;
    }

    /** The oldest queued index; call only when not empty. */
    int poll() {
        int index = ring[head];
        head = (head + 1) % ring.length;
        size--;
        return index;
    }

    /** True when {@code index} was queued (and is not any more). */
    boolean remove(int index) {
        int n = size;
        int write = 0;
        for (int i = 0; i < n; i++) {
            int v = ring[(head + i) % ring.length];
            if (v != index) {
                ring[(head + write++) % ring.length] = v;
            }
        }
        size = write;
        return write < n;
    }

    boolean contains(int index) {
        for (int i = 0; i < size; i++) {
            if (ring[(head + i) % ring.length] == index) {
                return true;
            }
        }
        return false;
    }
}
