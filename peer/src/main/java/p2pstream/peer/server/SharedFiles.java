package p2pstream.peer.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.cli.Quantity;
import p2pstream.common.net.Clock;
import p2pstream.peer.store.ManifestCache;
import p2pstream.peer.store.SharedDirectory;

/**
 * The hashing side of a peer-server's shared directory: computes (or reads from the cache) the manifest of
 * each shared file on a small worker pool that lives as long as the server, so files found later are hashed
 * there too, never on an event loop. {@link #hashAll} blocks its caller; {@link #hash} may be called from any
 * thread.
 */
final class SharedFiles implements AutoCloseable {
    /** A start-up that hashes longer than this says how far it has got, every so often. */
    static final long PROGRESS_MILLIS = 2_000;

    private static final Logger log = LoggerFactory.getLogger(SharedFiles.class);

    private final SharedDirectory dir;
    private final ManifestCache cache;
    private final ExecutorService pool;
    private final Clock clock;
    private final OpenFiles openFiles;

    SharedFiles(SharedDirectory dir, Clock clock, OpenFiles openFiles) {
        this.dir = dir;
        this.openFiles = openFiles;
        this.cache = new ManifestCache(dir.cacheDir().resolve("manifests"));
        this.clock = clock;
        int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "manifest-hasher");
            t.setDaemon(true);
            return t;
        });
    }

    SharedDirectory directory() {
        return dir;
    }

    /** Hashes {@code name} on the pool; the future fails with the reason it cannot be shared. */
    Future<ServedStream> hash(String name) {
        return pool.submit(() -> hashNow(name));
    }

    /** Hashes {@code name} on the calling thread (a pool thread). */
    ServedStream hashNow(String name) throws IOException {
        Path path = dir.resolve(name);
        Stamp stamp = Stamp.of(path); // before hashing: a change during it shows as a different stamp later
        return new ServedStream(cache.manifestFor(name, path), path, openFiles, stamp);
    }

    /** Runs {@code task} on the pool (a rescan: blocking disk I/O kept off the loops). */
    void execute(Runnable task) {
        pool.execute(task);
    }

    /**
     * Every file the directory shares, hashed, logging how many first and then, every {@link #PROGRESS_MILLIS},
     * how many are done. A file that cannot be shared is logged and left out.
     */
    List<ServedStream> hashAll() throws IOException {
        return hashAll(new HashProgress());
    }

    /** The same, telling {@code progress} how far it is (for the pages while the server starts). */
    List<ServedStream> hashAll(HashProgress progress) throws IOException {
        List<String> names = dir.names();
        long[] sizes = new long[names.size()];
        long totalBytes = 0;
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = sizeOf(names.get(i));
            totalBytes += sizes[i];
        }
        progress.onStart(names.size(), totalBytes);
        log.info("hashing {} files ({}) in {}; cached manifests are reused", names.size(),
                Quantity.bytesText(totalBytes), dir.root());
        List<Future<ServedStream>> futures = new ArrayList<>();
        for (String name : names) {
            futures.add(hash(name));
        }
        List<ServedStream> shared = new ArrayList<>();
        long startNanos = clock.nanoTime();
        long nextProgressNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(PROGRESS_MILLIS);
        try {
            for (int i = 0; i < futures.size(); ) {
                try {
                    long waitNanos = Math.max(1, nextProgressNanos - clock.nanoTime());
                    ServedStream s = futures.get(i).get(waitNanos, TimeUnit.NANOSECONDS);
                    shared.add(s);
                    progress.onFileDone(sizes[i]);
                    i++;
                } catch (TimeoutException e) {
                    log.info("hashing: {} of {} files done ({} of {})", i, names.size(),
                            Quantity.bytesText(progress.bytesDone()), Quantity.bytesText(totalBytes));
                    nextProgressNanos = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROGRESS_MILLIS);
                } catch (ExecutionException e) {
                    log.warn("not sharing {}: {}", names.get(i), e.getCause().toString());
                    progress.onFileDone(sizes[i]);
                    i++;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing shared files", e);
        }
        log.info("hashed {} files in {} ms", shared.size(),
                TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - startNanos));
        return shared;
    }

    private long sizeOf(String name) {
        try {
            return Files.size(dir.root().resolve(name));
        } catch (IOException e) {
            return 0; // hashing it will say what is wrong
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
