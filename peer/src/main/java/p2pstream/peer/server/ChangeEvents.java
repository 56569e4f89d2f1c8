package p2pstream.peer.server;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change events for a shared directory tree, from a {@link WatchService} on a thread of its own: every
 * directory but dot-directories is registered, new ones as they appear, and {@code onChange} runs (on that
 * thread) after each batch of events that may change what is shared. Where the platform offers no events the
 * caller's periodic rescan is all there is. {@link #start} and {@link #close} from any thread.
 */
final class ChangeEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeEvents.class);

    private final Path root;
    private final Runnable onChange;
    private final long rescanMillis;
    private final WatchService watcher;
    private final Thread thread;

    /**
     * @param rescanMillis only said in the warning when there are no events
     * @param enabled      false: no events at all, as on a file system without them (tests of the rescan)
     */
    ChangeEvents(Path root, Runnable onChange, long rescanMillis, boolean enabled) {
        this.root = root;
        this.onChange = onChange;
        this.rescanMillis = rescanMillis;
        WatchService w = null;
        try {
            w = enabled ? FileSystems.getDefault().newWatchService() : null;
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("shared directory {}: no change events ({}); rescanning every {} ms", root, e.toString(),
                    rescanMillis);
        }
        this.watcher = w;
        this.thread = w == null ? null : new Thread(this::watch, "shared-dir-watch");
    }

    void start() {
        if (thread != null) {
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void watch() {
        try {
            registerTree(root);
            onChange.run(); // what appeared while the tree was being registered
            while (true) {
                WatchKey key = watcher.take();
                Path dir = (Path) key.watchable();
                boolean relevant = false;
                for (var event : key.pollEvents()) {
                    if (!(event.context() instanceof Path p)) {
                        relevant = true; // OVERFLOW: events were lost
                        continue;
                    }
                    // the manifest cache (a dot-directory) changes whenever a file is hashed: no listing for that;
                    // an access file is a dotfile that matters
                    relevant |= !p.toString().startsWith(".") || p.toString().equals(FolderAccess.FILE_NAME);
                    Path child = dir.resolve(p);
                    if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE
                            && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                        try {
                            registerTree(child);
                        } catch (IOException e) {
                            log.debug("shared directory: cannot watch {}: {}", child, e.toString()); // gone again
                        }
                    }
                }
                key.reset();
                if (relevant) {
                    onChange.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        } catch (IOException | RuntimeException e) {
            log.warn("shared directory {}: watching stopped ({}); rescanning every {} ms", root, e.toString(),
                    rescanMillis);
        }
    }

    private void registerTree(Path top) throws IOException {
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root) && dir.getFileName().toString().startsWith(".")) {
                    return FileVisitResult.SKIP_SUBTREE; // never shared, and the manifest cache changes a lot
                }
                dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public void close() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                log.debug("watch service close: {}", e.toString());
            }
        }
    }
}
