package p2pstream.peer.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Descriptors;

/**
 * The shared files a peer-server has open, at most {@code capacity} at once: a file is opened when a chunk of it
 * is served and stays open for the next request, the least recently used idle one is closed to make room. A
 * channel is leased per chunk in flight and never closed under a transfer: a file whose channel is in use stays
 * open until its last lease is released. Sharing more files than the process has descriptors used to fail at
 * start ("cannot open selector"). Any thread (one lock, held only for the bookkeeping and an open).
 */
final class OpenFiles implements AutoCloseable {
    /** Open shared files at most, unless the descriptor limit calls for fewer (see {@link #defaultCapacity}). */
    static final int DEFAULT_CAPACITY = 256;

    private static final Logger log = LoggerFactory.getLogger(OpenFiles.class);

    private final int capacity;
    /** In access order: the first idle entry is the one to close. */
    private final LinkedHashMap<Path, Entry> open = new LinkedHashMap<>(16, 0.75f, true);
    /** Channels open, in the map or not: one forgotten while in use stays open until its transfers end. */
    private int openChannels;
    private int peakOpen;
    private boolean closed;

    OpenFiles(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("open files: " + capacity + " (expected: at least 1)");
        }
        this.capacity = capacity;
    }

    /**
     * {@link #DEFAULT_CAPACITY}, or a quarter of the process's descriptor limit where that is smaller: the rest
     * is for sockets, the selectors and the JVM's own files.
     */
    static int defaultCapacity() {
        long limit = Descriptors.limit();
        return (int) Math.max(1, Math.min(DEFAULT_CAPACITY, limit / 4));
    }

    /** A channel on {@code path}'s data; null when all {@code capacity} channels are in use (try again later). */
    synchronized Lease lease(Path path) throws IOException {
        if (closed) {
            throw new IOException("open files: closed (expected: a running peer-server)");
        }
        Entry e = open.get(path);
        if (e != null && e.forgotten) {
            open.remove(path); // the file changed: a fresh channel, the old one closes with its last transfer
            e = null;
        }
        if (e == null) {
            if (openChannels >= capacity && !closeIdle()) {
                return null;
            }
            e = new Entry(path, FileChannel.open(path, StandardOpenOption.READ));
            open.put(path, e);
            openChannels++;
            peakOpen = Math.max(peakOpen, openChannels);
        }
        e.leases++;
        return new Lease(e);
    }

    /** Closes {@code path}'s channel once its transfers are done (the file was deleted or changed). */
    synchronized void forget(Path path) {
        Entry e = open.get(path);
        if (e != null && e.leases == 0) {
            open.remove(path);
            closeQuietly(e);
        } else if (e != null) {
            e.forgotten = true;
        }
    }

    /** Channels open now. */
    synchronized int openCount() {
        return openChannels;
    }

    /** The most channels that were open at once. */
    synchronized int peakOpenCount() {
        return peakOpen;
    }

    int capacity() {
        return capacity;
    }

    /** Closes the least recently used channel no transfer uses; false when every one is in use. */
    private boolean closeIdle() {
        for (Iterator<Entry> it = open.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.leases == 0) {
                it.remove();
                closeQuietly(e);
                return true;
            }
        }
        return false;
    }

    private synchronized void release(Entry e) {
        e.leases--;
        if (e.leases == 0 && (e.forgotten || closed)) {
            open.remove(e.path, e);
            closeQuietly(e);
        }
    }

    private void closeQuietly(Entry e) {
        openChannels--;
        try {
            e.channel.close();
        } catch (IOException ex) {
            log.debug("close {}: {}", e.path, ex.toString());
        }
    }

    /** Closes every idle channel now and the others as their transfers end. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Iterator<Map.Entry<Path, Entry>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Entry e = it.next().getValue();
            if (e.leases == 0) {
                it.remove();
                closeQuietly(e);
            }
        }
    }

    private static final class Entry {
        final Path path;
        final FileChannel channel;
        int leases;
        boolean forgotten;

        Entry(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }
    }

    /** One transfer's hold on an open channel; {@link #release} once, when the transfer is done. */
    final class Lease {
        private final Entry entry;
        private boolean released;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        FileChannel channel() {
            return entry.channel;
        }

        void release() {
            if (!released) {
                released = true;
                OpenFiles.this.release(entry);
            }
        }
    }
}
