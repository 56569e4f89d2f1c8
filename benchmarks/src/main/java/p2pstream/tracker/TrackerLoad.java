package p2pstream.tracker;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import p2pstream.common.cli.Endpoint;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.common.wire.Streams;

/**
 * A load generator for a tracker running in another process (a plain {@code main}, not JMH), over persistent
 * sessions on loopback:
 * <ol>
 *   <li>hold: opens SESSIONS sessions, each sending HELLO and one ANNOUNCE (of one of STREAMS streams), and
 *       PINGs each every few seconds from then on; checks with LIST that the tracker counts every one;</li>
 *   <li>LOOKUP: ACTIVE of those sessions each keep WINDOW LOOKUPs (by content id, 50 peers) in flight, a new
 *       one per answer, for a warm-up and then a measured interval; every answer is checked (50 peers);</li>
 *   <li>ANNOUNCE: the same from ANNOUNCE_ACTIVE sessions (two frames an op: 2 x ACTIVE by default), each op an
 *       ANNOUNCE followed by a LOOKUP for 0 peers of the same stream, whose answer confirms the ANNOUNCE was
 *       applied (ANNOUNCE has no answer of its own); each session cycles through 8 streams, so the first ops
 *       add entries and the rest update them;</li>
 *   <li>checks that no held session was dropped and the tracker still counts every one.</li>
 * </ol>
 *
 * <pre>
 * java -cp dist/benchmarks.jar p2pstream.tracker.TrackerLoad HOST:PORT [--sessions 10000] [--streams 100]
 *     [--active 384] [--announce-active 768] [--window 6] [--warmup-seconds 5] [--seconds 10] [--ping-seconds 3]
 *     [--threads 2] [--tracker-pid PID] [--go-file PATH]
 * </pre>
 *
 * With {@code --tracker-pid} it reports the tracker's CPU use per thread during each measurement (from /proc):
 * that says which side, and which tracker loop, limited the figure. With {@code --go-file} it waits after the
 * hold phase until PATH exists, so a script can measure the tracker's memory with every session held. Prints
 * human lines, then {@code row: | ... |} markdown rows; exit status 1 when a session was dropped, an answer
 * was wrong, or the tracker's counts disagree.
 */
public final class TrackerLoad {
    private final InetSocketAddress tracker;
    private final int sessions;
    private final int active;
    private final int announceActive;
    private final int window;
    private final long warmupMillis;
    private final long measureMillis;
    private final long pingMillis;
    private final long trackerPid;
    private final Path goFile;
    private final Workload work;
    private final List<LoadLoop> loops = new ArrayList<>();
    private final List<String> rows = new ArrayList<>();
    private boolean failed;

    private TrackerLoad(Map<String, String> o) {
        this.tracker = Endpoint.parse(o.get("tracker"), Tracker.DEFAULT_PORT);
        this.sessions = Integer.parseInt(o.getOrDefault("sessions", "10000"));
        this.active = Math.min(sessions, Integer.parseInt(o.getOrDefault("active", "384")));
        // an ANNOUNCE op is two frames: more sessions keep each well under the tracker's frame rate
        this.announceActive = Math.min(sessions,
                Integer.parseInt(o.getOrDefault("announce-active", Integer.toString(2 * active))));
        this.window = Integer.parseInt(o.getOrDefault("window", "6"));
        this.warmupMillis = (long) (1000 * Double.parseDouble(o.getOrDefault("warmup-seconds", "5")));
        this.measureMillis = (long) (1000 * Double.parseDouble(o.getOrDefault("seconds", "10")));
        this.pingMillis = (long) (1000 * Double.parseDouble(o.getOrDefault("ping-seconds", "3")));
        this.trackerPid = Long.parseLong(o.getOrDefault("tracker-pid", "-1"));
        this.goFile = o.containsKey("go-file") ? Path.of(o.get("go-file")) : null;
        this.work = new Workload(sessions, Integer.parseInt(o.getOrDefault("streams", "100")), 1000);
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 < args.length) {
                o.put(args[i].substring(2), args[++i]);
            } else if (!o.containsKey("tracker") && !args[i].startsWith("-")) {
                o.put("tracker", args[i]);
            } else {
                System.err.println("usage: TrackerLoad HOST:PORT [--sessions N] [--streams N] [--active N]"
                        + " [--announce-active N] [--window N] [--warmup-seconds S] [--seconds S] [--ping-seconds S]"
                        + " [--threads N] [--tracker-pid PID] [--go-file PATH]");
                System.exit(2);
            }
        }
        if (!o.containsKey("tracker")) {
            System.err.println("usage: TrackerLoad HOST:PORT [options]: the tracker's address is missing");
            System.exit(2);
        }
        int threads = Integer.parseInt(o.getOrDefault("threads", "2"));
        try (EventLoopGroup group = new EventLoopGroup("load", threads)) {
            System.exit(new TrackerLoad(o).run(group));
        }
    }

    private int run(EventLoopGroup group) throws Exception {
        CountDownLatch settled = new CountDownLatch(sessions);
        for (int i = 0; i < group.loops().size(); i++) {
            loops.add(new LoadLoop(group.loops().get(i), tracker, settled));
        }
        for (int i = 0; i < sessions; i++) {
            LoadLoop l = loops.get(i % loops.size());
            l.sessions.add(new LoadSession(l, work, i));
        }
        System.out.printf(Locale.ROOT, "tracker load: %s, %d sessions on %d streams, %d (LOOKUP) and %d (ANNOUNCE)"
                        + " active x %d in flight, %d generator loops%n", Acceptor.hostPort(tracker), sessions,
                work.holdStreams(), active, announceActive, window, loops.size());

        long t0 = System.nanoTime();
        for (LoadLoop l : loops) {
            l.call(() -> {
                l.pingEvery(pingMillis); // from the start: the first sessions must outlive the opening of the last
                l.connectAll();
                return null;
            });
        }
        if (!settled.await(300, TimeUnit.SECONDS)) {
            return fail("hold: sessions still connecting after 300 s");
        }
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        long heldSince = System.nanoTime();
        int ready = sum(l -> l.ready);
        long counted = countedByTracker(ready);
        System.out.printf(Locale.ROOT,
                "held: %d of %d sessions in %.1f s (%.0f sessions/s); the tracker lists %d holders%s%n",
                ready, sessions, openSeconds, ready / openSeconds, counted, firstClose());
        if (ready < sessions || counted != ready) {
            failed = true;
        }
        if (goFile != null) {
            System.out.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!Files.exists(goFile) && System.nanoTime() < deadline) {
                Thread.sleep(50); // a script measures the tracker's memory meanwhile
            }
        }

        measure(LoadSession.Op.LOOKUP, active, "LOOKUP (by content id, " + Workload.LOOKUP_PEERS + " peers wanted of "
                + work.holders(0) + " holders)");
        measure(LoadSession.Op.ANNOUNCE, announceActive, "ANNOUNCE + confirming LOOKUP (0 peers)");

        int held = sum(l -> l.ready);
        int dropped = sum(l -> l.closedAfterReady);
        long counted2 = countedByTracker(held);
        double heldSeconds = (System.nanoTime() - heldSince) / 1e9;
        System.out.printf(Locale.ROOT, "after %.0f s more with PINGs every %.1f s (session timeout: see the tracker):"
                        + " %d of %d sessions held, %d dropped since the start, the tracker lists %d holders%s%n",
                heldSeconds, pingMillis / 1000.0, held, sessions, dropped, counted2, firstClose());
        if (dropped > 0 || held < sessions || counted2 != held) {
            failed = true;
        }
        rows.add(0, String.format(Locale.ROOT, "row: | sessions held | %d of %d, %d dropped, %.0f s after the last"
                        + " opened | opened at %.0f sessions/s | | | %s |", held, sessions, dropped, heldSeconds,
                ready / openSeconds,
                counted2 == held ? "the tracker lists every one" : "the tracker lists " + counted2));
        rows.forEach(System.out::println);
        System.out.println(failed ? "FAILED" : "OK");
        return failed ? 1 : 0;
    }

    private void measure(LoadSession.Op op, int activeSessions, String label) throws Exception {
        for (LoadLoop l : loops) {
            l.call(() -> {
                for (LoadSession s : l.sessions) {
                    if (s.index < activeSessions && s.isReady()) {
                        s.run(op, window);
                    }
                }
                return null;
            });
        }
        Thread.sleep(warmupMillis); // the scenario: a warm-up interval, then a measured one
        for (LoadLoop l : loops) {
            l.call(() -> {
                l.record(true);
                return null;
            });
        }
        Map<String, Double> trackerBefore = ThreadCpu.snapshot(trackerPid);
        Map<String, Double> selfBefore = ThreadCpu.snapshot(ProcessHandle.current().pid());
        long start = System.nanoTime();
        Thread.sleep(measureMillis);
        for (LoadLoop l : loops) {
            l.call(() -> {
                l.record(false);
                return null;
            });
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> trackerAfter = ThreadCpu.snapshot(trackerPid);
        Map<String, Double> selfAfter = ThreadCpu.snapshot(ProcessHandle.current().pid());
        for (LoadLoop l : loops) {
            l.call(() -> {
                for (LoadSession s : l.sessions) {
                    s.run(LoadSession.Op.NONE, 0);
                }
                return null;
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sum(LoadLoop::inFlight) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling the drain, with a deadline
        }
        long[] all = new long[0];
        long errors = 0;
        long paced = 0;
        String firstError = null;
        for (LoadLoop l : loops) {
            long[] mine = l.call(l::latencies);
            int from = all.length;
            all = Arrays.copyOf(all, from + mine.length);
            System.arraycopy(mine, 0, all, from, mine.length);
            errors += l.call(l::errors);
            paced += l.call(l::paced);
            firstError = firstError != null ? firstError : l.call(l::firstError);
        }
        Arrays.sort(all);
        double opsPerSecond = all.length / seconds;
        String trackerCpu = ThreadCpu.describe(trackerBefore, trackerAfter, seconds);
        String selfCpu = ThreadCpu.describe(selfBefore, selfAfter, seconds);
        System.out.printf(Locale.ROOT, "%s: %.0f ops/s over %.1f s, latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms,"
                        + " max %.2f ms; %d wrong answers%s; %d times a session held back (%d frames/s each at most);"
                        + " tracker CPU %s; generator CPU %s%n", label, opsPerSecond, seconds, ms(all, 0.50),
                ms(all, 0.99), ms(all, 0.999), ms(all, 1.0), errors, firstError == null ? "" : " (" + firstError + ")",
                paced, LoadSession.MAX_FRAMES_PER_SECOND, trackerCpu, selfCpu);
        if (errors > 0 || all.length == 0) {
            failed = true;
        }
        rows.add(String.format(Locale.ROOT, "row: | %s | %.0f ops/s | %d sessions x %d in flight | %.2f | %.2f"
                        + " | tracker %s; generator %s%s |", label, opsPerSecond, activeSessions, window, ms(all, 0.50),
                ms(all, 0.99), trackerCpu, selfCpu,
                paced == 0 ? "" : String.format(Locale.ROOT,
                        "; sessions held back %d times at %d frames/s: more sessions needed",
                        paced, LoadSession.MAX_FRAMES_PER_SECOND)));
    }

    /** Holders of the hold streams the tracker lists, asked again until it agrees with {@code expected} (10 s). */
    private long countedByTracker(int expected) throws Exception {
        LoadSession probe = null;
        for (LoadLoop l : loops) {
            if (probe == null) {
                probe = l.call(() -> l.sessions.stream().filter(LoadSession::isReady).findFirst().orElse(null));
            }
        }
        if (probe == null) {
            return -1;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long counted;
        do {
            LoadSession p = probe;
            LoadLoop owner = loops.get(p.index % loops.size());
            Streams s = owner.call(p::list).get(10, TimeUnit.SECONDS);
            counted = s.streams().stream().mapToLong(Streams.Entry::peers).sum();
        } while (counted != expected && System.nanoTime() < deadline && sleepBriefly());
        return counted;
    }

    private static boolean sleepBriefly() throws InterruptedException {
        Thread.sleep(100); // polling the tracker's count, with a deadline
        return true;
    }

    private String firstClose() throws Exception {
        for (LoadLoop l : loops) {
            String why = l.call(() -> l.firstCloseReason);
            if (why != null) {
                return "; first close: " + why;
            }
        }
        return "";
    }

    private int sum(ToIntFunction<LoadLoop> f) throws Exception {
        int n = 0;
        for (LoadLoop l : loops) {
            n += l.call(() -> f.applyAsInt(l));
        }
        return n;
    }

    private int fail(String why) {
        System.out.println(why);
        System.out.println("FAILED");
        return 1;
    }

    private static double ms(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}
