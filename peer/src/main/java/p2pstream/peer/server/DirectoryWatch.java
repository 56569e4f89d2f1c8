package p2pstream.peer.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.Timeout;

/**
 * Keeps a peer-server's shared files in step with its directory while it runs: a {@link WatchService} over the
 * tree (and a rescan every {@code rescanMillis} for what it misses: overflows, file systems without events)
 * triggers a listing on the worker pool; the loop compares it with what is shared; a new or changed file is
 * hashed on the pool once its size and modification time have held still for {@code settleMillis}, a deleted
 * one is withdrawn at once. State is confined to {@code loop}'s thread; the watch thread only wakes it.
 */
final class DirectoryWatch implements AutoCloseable {
    /** A burst of events (a copy in progress, a tree unpacked) is listed once, this long after it starts. */
    static final long DEBOUNCE_MILLIS = 100;

    private static final Logger log = LoggerFactory.getLogger(DirectoryWatch.class);

    /** What the loop is told when the shared set changes. Loop thread. */
    interface Listener {
        /** {@code added} is shared now; {@code replaced} (null for a new file) was its earlier content. */
        void onShared(ServedStream added, ServedStream replaced);

        void onUnshared(ServedStream removed);

        /** The folders' access files, read with a listing that found them changed. */
        default void onFolderAccess(FolderAccess folders) {
        }
    }

    private final SharedFiles files;
    private final EventLoop loop;
    private final Listener listener;
    private final long settleMillis;
    private final long rescanMillis;
    private final ChangeEvents events;

    // loop thread only
    private final Map<String, ServedStream> shared = new HashMap<>();
    private final Map<String, Stamp> unshareable = new HashMap<>();
    /** New or changed files waiting to hold still: the stamp last seen and when it was first seen so. */
    private final Map<String, Pending> pending = new HashMap<>();
    private final Set<String> hashing = new HashSet<>();
    private Map<String, Stamp> lastListing = Map.of();
    /** As the last listing read them; null before the first, which tells them (the start read them too). */
    private FolderAccess folders;
    private Timeout scanTimer;
    private long scanDueNanos = Long.MAX_VALUE;
    private boolean listing;
    private boolean listAgain;
    private boolean closed;

    private record Pending(Stamp stamp, long sinceNanos) {
    }

    /**
     * @param initial      the files shared at start, already announced
     * @param changeEvents false: rely on the periodic rescan alone (tests of the fallback)
     */
    DirectoryWatch(SharedFiles files, EventLoop loop, Iterable<ServedStream> initial, Listener listener,
                   long settleMillis, long rescanMillis, boolean changeEvents) {
        this.files = files;
        this.loop = loop;
        this.listener = listener;
        this.settleMillis = settleMillis;
        this.rescanMillis = rescanMillis;
        for (ServedStream s : initial) {
            shared.put(s.manifest().name(), s);
        }
        this.events = new ChangeEvents(files.directory().root(), () -> loop.execute(() -> scanSoon(DEBOUNCE_MILLIS)),
                rescanMillis, changeEvents);
    }

    /** Starts watching; the first listing comes at once, to catch what changed while the files were hashed. */
    void start() {
        events.start();
        loop.execute(() -> {
            scanSoon(0);
            loop.schedule(rescanMillis, this::periodicScan);
        });
    }

    private Path root() {
        return files.directory().root();
    }

    // ---- the loop: listings, settling, hashing results ----

    private void periodicScan() {
        if (!closed) {
            scanSoon(0);
            loop.schedule(rescanMillis, this::periodicScan);
        }
    }

    /** Lists the directory in {@code delayMillis} unless a listing is due sooner. */
    private void scanSoon(long delayMillis) {
        if (closed) {
            return;
        }
        long due = loop.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        if (scanTimer != null && scanDueNanos <= due) {
            return;
        }
        if (scanTimer != null) {
            scanTimer.cancel();
        }
        scanDueNanos = due;
        scanTimer = loop.schedule(delayMillis, this::list);
    }

    private void list() {
        scanTimer = null;
        scanDueNanos = Long.MAX_VALUE;
        if (listing) {
            listAgain = true;
            return;
        }
        listing = true;
        files.execute(() -> {
            Map<String, Stamp> found = new LinkedHashMap<>();
            try {
                for (String name : files.directory().names()) {
                    try {
                        found.put(name, Stamp.of(root().resolve(name)));
                    } catch (IOException e) {
                        // gone between the listing and the stat: the next listing settles it
                    }
                }
            } catch (IOException | RuntimeException e) {
                log.warn("shared directory {}: cannot list ({}); keeping what is shared", root(), e.toString());
                loop.execute(() -> listing = false);
                return;
            }
            // the access files of the folders listed, read with each listing (they are few and small)
            FolderAccess access = FolderAccess.read(root(), found.keySet());
            loop.execute(() -> onListing(found, access));
        });
    }

    private void onListing(Map<String, Stamp> found, FolderAccess access) {
        listing = false;
        if (closed) {
            return;
        }
        lastListing = found;
        if (!access.equals(folders)) {
            folders = access; // before the files: a new file is announced under the access it was found with
            listener.onFolderAccess(access);
        }
        for (var it = shared.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!found.containsKey(e.getKey())) {
                it.remove();
                log.info("shared file {} is gone: withdrawn", e.getKey());
                listener.onUnshared(e.getValue());
            }
        }
        unshareable.keySet().retainAll(found.keySet());
        pending.keySet().retainAll(found.keySet());
        long now = loop.nanoTime();
        boolean waiting = false;
        for (var e : found.entrySet()) {
            String name = e.getKey();
            Stamp stamp = e.getValue();
            ServedStream current = shared.get(name);
            if ((current != null && current.stamp().equals(stamp)) || stamp.equals(unshareable.get(name))
                    || hashing.contains(name)) {
                pending.remove(name);
                continue;
            }
            Pending p = pending.get(name);
            if (p == null || !p.stamp().equals(stamp)) {
                pending.put(name, new Pending(stamp, now)); // new, or still being written
                waiting = true;
            } else if (now - p.sinceNanos() >= TimeUnit.MILLISECONDS.toNanos(settleMillis)) {
                pending.remove(name);
                hash(name);
            } else {
                waiting = true;
            }
        }
        if (waiting) {
            scanSoon(settleMillis);
        }
        if (listAgain) {
            listAgain = false;
            scanSoon(0);
        }
    }

    private void hash(String name) {
        hashing.add(name);
        files.execute(() -> {
            ServedStream s = null;
            IOException failure = null;
            try {
                s = files.hashNow(name);
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
            }
            ServedStream result = s;
            IOException error = failure;
            loop.execute(() -> onHashed(name, result, error));
        });
    }

    private void onHashed(String name, ServedStream s, IOException error) {
        hashing.remove(name);
        if (closed || !lastListing.containsKey(name)) {
            if (s != null) {
                s.close(); // deleted while it was hashed
            }
            return;
        }
        if (s == null) {
            log.warn("not sharing {}: {}", name, error.toString());
            unshareable.put(name, lastListing.get(name));
            return;
        }
        ServedStream old = shared.put(name, s);
        if (old != null && old.manifest().contentId().equals(s.manifest().contentId())) {
            return; // touched, same bytes: the new stamp is kept, nothing to tell the tracker
        }
        log.info("{} shared file {} as {}", old == null ? "new" : "changed", name, s.manifest().contentId().hex());
        listener.onShared(s, old);
        scanSoon(DEBOUNCE_MILLIS); // it may have changed again while it was hashed
    }

    /** True while a listing or a hash is due or running (not the periodic rescan). Loop thread; for tests. */
    boolean busy() {
        return scanTimer != null || listing || !hashing.isEmpty() || !pending.isEmpty();
    }

    @Override
    public void close() {
        loop.execute(() -> {
            closed = true;
            if (scanTimer != null) {
                scanTimer.cancel();
            }
        });
        events.close();
    }
}
