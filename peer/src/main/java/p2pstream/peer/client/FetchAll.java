package p2pstream.peer.client;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import p2pstream.common.cli.Cli;
import p2pstream.common.cli.Quantity;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.tracker.Security;

/**
 * {@code peer-client TRACKER --all PREFIX -o DIR}: every file stream under a folder the tracker lists to us (public,
 * or private with a grant for our id), fetched into DIR a few at once, each resumed from its record after an
 * interruption, with a line per file, one progress line and a summary. A file already in DIR at its listed size
 * with no record beside it was completed (and verified) by an earlier run and is kept. The caller's thread; one
 * {@link Watch} per file on a pool of {@code parallel} threads.
 */
final class FetchAll {
    private final Watch.Config base;
    private final String prefix;
    private final Path dir;
    private final int parallel;
    private final boolean force;
    private final PrintStream err;
    private final boolean quiet;
    /** Files complete so far, and their bytes: {@link #report}'s, under its lock. */
    private int done;
    private long doneBytes;

    /** How a file came to be complete, or that it did not. */
    enum How { FETCHED, RESUMED, KEPT, FAILED }

    /** What became of one file. */
    record Outcome(Streams.Entry entry, int status, String message, How how) {
    }

    /**
     * @param base     the options every file's watch runs with (its stream is replaced, its output set per file)
     * @param prefix   a folder: the streams named PREFIX/... (or PREFIX itself)
     * @param parallel files fetched at once
     */
    FetchAll(Watch.Config base, String prefix, Path dir, int parallel, boolean force, PrintStream err, boolean quiet) {
        this.base = base;
        this.prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        this.dir = dir;
        this.parallel = parallel;
        this.force = force;
        this.err = err;
        this.quiet = quiet;
    }

    /** --all's usage errors: {@code other} is the STREAM, --list or --http given beside it (null: none). */
    static void checkOptions(String other, int parallel, int port) {
        if (other != null) {
            throw new IllegalArgumentException("--all: with " + other + " (expected: --all PREFIX alone fetches the"
                    + " files under PREFIX)");
        }
        Cli.positive("--parallel", parallel);
        if (port != 0 && parallel > 1) {
            throw new IllegalArgumentException("--port: " + port + " with --all --parallel " + parallel
                    + " (expected: 0, so that each file's viewer listens on a free port, or --parallel 1)");
        }
    }

    /**
     * {@code --all}: lists what the tracker shows this peer id, fetches the files under {@code prefix} into
     * {@code dir} (created), and returns the exit status; Ctrl-C ends the files under way resumable.
     */
    static int run(Watch.Config config, InetSocketAddress tracker, Security security, String prefix, Path dir,
                   int parallel, boolean force, boolean quiet) throws Exception {
        if (tracker == null) {
            throw new IllegalArgumentException("--all: without a tracker (expected: TRACKER to list the files by)");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--output: " + dir + " is not a directory (expected: with --all, the"
                    + " directory the files go to)");
        }
        Files.createDirectories(dir);
        FetchAll fetch = new FetchAll(config, prefix, dir, parallel, force, System.err, quiet);
        List<Streams.Entry> files;
        try {
            List<Streams.Entry> listed = TrackerQuery.list(tracker, security, prefix).streams();
            if (listed.size() >= Wire.MAX_STREAMS_PER_LIST) {
                System.err.println("peer-client: --all " + prefix + ": the tracker lists at most "
                        + Wire.MAX_STREAMS_PER_LIST + " names containing it at a time, and gave that many: files"
                        + " beyond them are not fetched (expected: a narrower PREFIX, one sub-folder at a time)");
            }
            files = fetch.select(listed);
        } catch (WatchException e) {
            System.err.println("peer-client: " + e.getMessage());
            return e.exitStatus();
        }
        if (files.isEmpty()) {
            System.err.println("peer-client: --all " + prefix + ": no file the tracker lists to this peer id is"
                    + " under it (expected: a folder of shared files; --list shows them)");
            return StreamFailure.NOT_FOUND;
        }
        return Signals.untilSignalled(interrupt -> fetch.run(files, interrupt));
    }

    /** The file streams of {@code listed} under the prefix, in the tracker's order. */
    List<Streams.Entry> select(List<Streams.Entry> listed) {
        List<Streams.Entry> chosen = new ArrayList<>();
        for (Streams.Entry e : listed) {
            boolean under = prefix.isEmpty() || e.name().equals(prefix) || e.name().startsWith(prefix + "/");
            if (under && e.size() >= 0) {
                chosen.add(e); // a live stream never completes: not part of a folder's files
            }
        }
        return chosen;
    }

    /**
     * Where {@code name} goes: its path from the prefix's parent folder on, so {@code --all club/june -o DIR} makes
     * DIR/june/...; names are relative paths without {@code ..} (the tracker checks), and the result is confined.
     */
    Path target(String name) {
        int cut = prefix.lastIndexOf('/') + 1;
        // absolute: "." (the default DIR) normalizes to the empty path, which no path starts with
        Path base = dir.toAbsolutePath().normalize();
        Path p = base.resolve(name.substring(cut)).normalize();
        if (!p.startsWith(base) || p.equals(base)) {
            throw new IllegalArgumentException("stream name: " + name + " (expected: a path inside " + dir + ")");
        }
        return p;
    }

    /** Fetches {@code files}; returns 0 when every one is complete and verified, else the first failure's status. */
    int run(List<Streams.Entry> files, CompletableFuture<String> interrupt) throws InterruptedException {
        long startNanos = System.nanoTime();
        long totalBytes = files.stream().mapToLong(Streams.Entry::size).sum();
        List<Outcome> outcomes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "get-all");
            t.setDaemon(true);
            return t;
        });
        // the tracker lists by name, and two holders may share different contents under one name: fetched at once
        // into the same file, each would overwrite the other's verified chunks
        Map<String, Integer> listed = new HashMap<>();
        for (Streams.Entry e : files) {
            listed.merge(e.name(), 1, Integer::sum);
        }
        try {
            List<Future<Outcome>> running = new ArrayList<>();
            for (Streams.Entry e : files) {
                int times = listed.get(e.name());
                running.add(times == 1 ? pool.submit(() -> fetch(e, interrupt, files.size(), totalBytes))
                        : CompletableFuture.completedFuture(ambiguous(e, times, files.size(), totalBytes)));
            }
            for (Future<Outcome> f : running) {
                try {
                    outcomes.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("get-all task: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return summarize(outcomes, totalBytes, (System.nanoTime() - startNanos) / 1e9);
    }

    /** A name listed {@code times} over: none of its streams is fetched (which one is meant is the user's say). */
    private Outcome ambiguous(Streams.Entry e, int times, int count, long totalBytes) {
        Outcome o = new Outcome(e, WatchException.FAILED, "listed " + times + " times with different content"
                + " (expected: one stream a name; this one alone: peer-client TRACKER " + e.contentId().hex()
                + " -o FILE)", How.FAILED);
        report(o, count, totalBytes);
        return o;
    }

    private Outcome fetch(Streams.Entry e, CompletableFuture<String> interrupt, int count, long totalBytes) {
        Outcome o;
        try {
            o = fetchInto(e, target(e.name()), interrupt);
        } catch (IllegalArgumentException ex) {
            o = new Outcome(e, WatchException.FAILED, ex.toString(), How.FAILED);
        }
        report(o, count, totalBytes);
        return o;
    }

    /**
     * Fetches the stream {@code e} into {@code file} (its folders made), resuming from its record; a file there at
     * the stream's size with no record is kept (an earlier run completed and verified it). The inbox's fetches too.
     */
    Outcome fetchInto(Streams.Entry e, Path file, CompletableFuture<String> interrupt) {
        if (interrupt.isDone()) {
            return new Outcome(e, WatchException.INTERRUPTED, "not started: " + interrupt.getNow(""), How.FAILED);
        }
        try {
            Files.createDirectories(file.getParent());
            boolean record = Files.exists(ChunkStore.recordPathFor(file));
            if (!force && !record && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                return Files.size(file) == e.size() ? new Outcome(e, 0, "already there", How.KEPT)
                        : new Outcome(e, WatchException.FAILED, file + " exists at another size (expected: "
                                + e.size() + " bytes; --force fetches it again)", How.FAILED);
            }
            if (force && !record) {
                Files.deleteIfExists(file);
            }
            Stats s = Watch.run(base.forStream(e.contentId().hex()).withOutputFile(file).withInterrupt(interrupt));
            Files.deleteIfExists(ChunkStore.recordPathFor(file));
            return s.resumedBytes() > 0 ? new Outcome(e, 0, "resumed, " + Quantity.bytesText(s.resumedBytes())
                    + " kept", How.RESUMED) : new Outcome(e, 0, "fetched", How.FETCHED);
        } catch (WatchException ex) {
            return new Outcome(e, ex.exitStatus(), ex.getMessage(), How.FAILED);
        } catch (IOException | RuntimeException ex) {
            return new Outcome(e, WatchException.FAILED, ex.toString(), How.FAILED);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return new Outcome(e, WatchException.INTERRUPTED, "interrupted", How.FAILED);
        }
    }

    private synchronized void report(Outcome o, int count, long totalBytes) {
        if (o.status() == 0) {
            done++;
            doneBytes += o.entry().size();
        }
        if (o.status() != 0 || !quiet) {
            err.printf("[%d/%d, %s of %s] %s %s: %s%n", done, count, Quantity.bytesText(doneBytes),
                    Quantity.bytesText(totalBytes), o.status() == 0 ? "done" : "FAILED", o.entry().name(),
                    o.message());
            err.flush();
        }
    }

    private int summarize(List<Outcome> outcomes, long totalBytes, double seconds) {
        int failed = 0;
        int first = 0;
        int kept = 0;
        int resumed = 0;
        for (Outcome o : outcomes) {
            if (o.status() != 0) {
                failed++;
                first = first == 0 ? o.status() : first;
            } else if (o.how() == How.KEPT) {
                kept++;
            } else if (o.how() == How.RESUMED) {
                resumed++;
            }
        }
        if (failed > 0 || !quiet) {
            err.printf("%s %s: %d files, %d complete (%d already there, %d resumed), %d failed, %s in %.1f s%n",
                    failed == 0 ? "done" : "incomplete", prefix.isEmpty() ? "(all)" : prefix, outcomes.size(),
                    outcomes.size() - failed, kept, resumed, failed, Quantity.bytesText(totalBytes), seconds);
            err.flush();
        }
        return first;
    }
}
