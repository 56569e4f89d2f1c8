package p2pstream.peer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import p2pstream.common.identity.Identity;
import p2pstream.common.noise.StaticKey;
import p2pstream.peer.client.Stats;
import p2pstream.peer.client.Watch;
import p2pstream.peer.client.WatchException;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerTrust;
import p2pstream.tracker.Tracker;

/**
 * The swarm of issue 3 as a benchmark (a plain {@code main}, not JMH): in one JVM on 127.0.0.1, a tracker, one
 * origin peer-server whose upload is capped at twice the bitrate sharing one generated file, and N viewers
 * paced like players at that bitrate (2 s start-up buffer) joining one second apart, each on its own thread,
 * each serving what it holds to the others.
 *
 * <pre>
 * java -cp dist/benchmarks.jar p2pstream.peer.SwarmBench VIEWERS [BITRATE [SIZE [DIR]]]
 *   VIEWERS  number of viewers (8)
 *   BITRATE  bytes per second (2000000); the origin's cap is twice this
 *   SIZE     stream size in bytes, K/M/G suffixes are binary (24M: about 12.6 s at 2 MB/s)
 *   DIR      work directory (a temporary one); the stream is DIR/origin/swarm.ts, reused while its size fits,
 *            viewers write DIR/run-VIEWERS/viewer-NN.ts, deleted once verified unless -Dswarm.keep=true
 * </pre>
 *
 * Prints a line per viewer, a summary, then one markdown row ({@code row: | ... |}) and one JSON object
 * ({@code json: {...}}) for scripts. Every viewer's output is checked against the source's SHA-256; any viewer
 * that fails, delivers an incomplete stream or different bytes makes the exit status 1 ({@code FAILED} on stderr).
 * Logging is at WARN unless {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} says otherwise. Every connection is
 * encrypted, as by default; {@code -Dswarm.plaintext=true} gives the tracker, the origin and every viewer what
 * {@code --plaintext} gives the programs (frames in clear after the handshake), to measure what encryption costs.
 *
 * <p>Memory: each live viewer holds its playback window in direct buffers (up to 128 chunks of 256 KiB, here
 * the whole 24 MiB stream) plus a 1 MiB read buffer per peer it fetches from; with 1 s joins about 14 viewers are
 * live at once. 32 viewers failed with {@code -XX:MaxDirectMemorySize=256m} and ran with 768m;
 * scripts/swarm-bench.sh passes {@code -Xmx512m -XX:MaxDirectMemorySize=1g}.
 */
public final class SwarmBench {
    static final String STREAM = "swarm.ts";
    static final long JOIN_MILLIS = Long.getLong("swarm.joinMillis", 1_000);
    static final long BUFFER_MILLIS = Long.getLong("swarm.bufferMillis", 2_000);
    static final boolean PLAINTEXT = Boolean.getBoolean("swarm.plaintext");

    private SwarmBench() {
    }

    /** One viewer's outcome: its figures (null if it failed before any), its error, and the output file's check. */
    record Viewer(int index, long joinedAtMillis, Stats stats, String error, boolean bytesMatch) {
        boolean ok() {
            return error == null && stats != null && stats.complete() && bytesMatch;
        }
    }

    public static void main(String[] args) throws Exception {
        // before any p2pstream class is initialised: their static loggers read the level once (INFO would log
        // a line per connection)
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (args.length > 4 || Arrays.asList(args).contains("-h") || Arrays.asList(args).contains("--help")) {
            System.err.println("usage: SwarmBench VIEWERS [BITRATE_BYTES_PER_S [SIZE[K|M|G] [DIR]]]");
            System.exit(2);
        }
        int viewers = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        long bitrate = args.length > 1 ? parseSize(args[1]) : 2_000_000;
        long size = args.length > 2 ? parseSize(args[2]) : 24L * 1024 * 1024;
        Path dir = args.length > 3 ? Paths.get(args[3]) : Files.createTempDirectory("swarm-bench");
        if (viewers < 1 || bitrate < 1 || size < 1) {
            System.err.println("viewers, bitrate and size must be positive");
            System.exit(2);
        }
        int status = new Run(viewers, bitrate, size, dir.toAbsolutePath()).call();
        // a viewer whose Watch.run never returned (Run gives up at a deadline) leaves its loop threads behind
        System.exit(status);
    }

    static long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        long mul = 1;
        if (t.endsWith("K")) {
            mul = 1024;
        } else if (t.endsWith("M")) {
            mul = 1024 * 1024;
        } else if (t.endsWith("G")) {
            mul = 1024L * 1024 * 1024;
        }
        if (mul > 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t.replace("_", "")) * mul;
    }

    /** A fresh identity's static key, allowing plaintext with {@code -Dswarm.plaintext=true}. */
    static StaticKey staticKey() {
        return StaticKey.of(Identity.generate(), PLAINTEXT);
    }

    /** What a peer of the run secures its connections with: its own fresh identity, any tracker trusted. */
    static Security security() {
        return new Security(staticKey(), TrackerTrust.any());
    }

    /** One benchmark run. */
    static final class Run {
        private final int viewers;
        private final long bitrate;
        private final long size;
        private final Path dir;

        Run(int viewers, long bitrate, long size, Path dir) {
            this.viewers = viewers;
            this.bitrate = bitrate;
            this.size = size;
            this.dir = dir;
        }

        int call() throws Exception {
            Path originDir = Files.createDirectories(dir.resolve("origin"));
            Path source = originDir.resolve(STREAM);
            if (!Files.isRegularFile(source) || Files.size(source) != size) {
                generate(source, size);
            }
            String expected = sha256(source);
            Path runDir = dir.resolve("run-" + viewers);
            deleteTree(runDir); // a viewer resumes from what an earlier run left: start empty
            Files.createDirectories(runDir);

            double streamSeconds = size / (double) bitrate;
            System.out.printf(Locale.ROOT,
                    "swarm: %d viewers joining %d ms apart, bitrate %d B/s, stream %d bytes (%.1f s),"
                            + " origin capped at %d B/s, %d-ms buffer, %d cores, max heap %d MiB, %s%n",
                    viewers, JOIN_MILLIS, bitrate, size, streamSeconds, 2 * bitrate, BUFFER_MILLIS,
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                    PLAINTEXT ? "plaintext" : "encrypted");

            List<Viewer> results = new ArrayList<>();
            long originUploaded;
            long wallMillis;
            try (Tracker tracker = Tracker.start(Tracker.Config.loopback().withKey(staticKey()));
                 PeerServer origin = PeerServer.start(PeerServer.Config.loopback(tracker.address(), originDir)
                         .withUploadLimit(2 * bitrate).withSecurity(security()))) {
                origin.announced().get(60, TimeUnit.SECONDS);
                String originAddress = "127.0.0.1:" + origin.address().getPort();
                System.out.printf("tracker %s, origin %s%n", tracker.address(), originAddress);

                List<CompletableFuture<Viewer>> running = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int v = 0; v < viewers; v++) {
                    // the scenario: viewers join a second apart (not a wait for a condition)
                    long joinAt = t0 + TimeUnit.MILLISECONDS.toNanos(v * JOIN_MILLIS);
                    for (long left; (left = joinAt - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(left);
                    }
                    running.add(startViewer(v, (System.nanoTime() - t0) / 1_000_000, tracker.address(),
                            runDir.resolve(String.format(Locale.ROOT, "viewer-%02d.ts", v)), expected));
                }
                // the last viewer needs the buffer and the stream's duration; allow generously for a slow machine
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120 + (long) (3 * streamSeconds));
                for (int v = 0; v < viewers; v++) {
                    long left = Math.max(1, deadline - System.nanoTime());
                    try {
                        results.add(running.get(v).get(left, TimeUnit.NANOSECONDS));
                    } catch (TimeoutException e) {
                        results.add(new Viewer(v, -1, null, "no result before the deadline", false));
                    }
                }
                wallMillis = (System.nanoTime() - t0) / 1_000_000;
                originUploaded = origin.uploadedBytes();

                for (Viewer r : results) {
                    System.out.println(describe(r, originAddress));
                }
                return report(results, originAddress, originUploaded, wallMillis, runDir);
            }
        }

        private CompletableFuture<Viewer> startViewer(int index, long joinedAt, InetSocketAddress tracker, Path out,
                                                      String expected) {
            CompletableFuture<Viewer> result = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                Watch.Config config = Watch.Config.of(tracker, STREAM)
                        .withPacing(bitrate, BUFFER_MILLIS).withHashOutput(false).withOutputFile(out)
                        .withSecurity(security());
                Stats stats = null;
                String error = null;
                try {
                    stats = Watch.run(config);
                } catch (WatchException e) {
                    error = "exit status " + e.exitStatus() + ": " + e.getMessage();
                    stats = e.stats();
                } catch (InterruptedException e) {
                    error = "interrupted";
                } catch (RuntimeException e) {
                    error = e.toString();
                }
                boolean match = false;
                try {
                    match = Files.isRegularFile(out) && Files.size(out) == size && expected.equals(sha256(out));
                    if (!match && error == null) {
                        error = "output differs from the source ("
                                + (Files.isRegularFile(out) ? Files.size(out) + " bytes" : "missing") + ")";
                    }
                } catch (IOException e) {
                    error = error != null ? error : "cannot read the output: " + e;
                }
                result.complete(new Viewer(index, joinedAt, stats, error, match));
            }, "viewer-" + index);
            t.setDaemon(true);
            t.start();
            return result;
        }

        private String describe(Viewer r, String originAddress) {
            if (r.stats() == null) {
                return String.format(Locale.ROOT, "viewer %2d: FAILED: %s", r.index(), r.error());
            }
            Stats s = r.stats();
            long fromOrigin = 0;
            long fromPeers = 0;
            int usedPeers = 0;
            for (Stats.PeerBytes p : s.peers()) {
                if (p.address().equals(originAddress)) {
                    fromOrigin += p.bytes();
                } else {
                    fromPeers += p.bytes();
                    usedPeers += p.bytes() > 0 ? 1 : 0;
                }
            }
            return String.format(Locale.ROOT,
                    "viewer %2d (joined %5d ms): %s, continuity %.3f, start-up %d ms, %d stalls (%d ms),"
                            + " %.1f MiB from the origin, %.1f MiB from %d viewers, uploaded %.1f MiB, %.1f s%s",
                    r.index(), r.joinedAtMillis(),
                    s.complete() ? (r.bytesMatch() ? "complete, bytes match" : "complete, BYTES DIFFER") : "INCOMPLETE",
                    s.continuity(), s.startupMillis(), s.stalls(), s.stallMillis(), fromOrigin / 1048576.0,
                    fromPeers / 1048576.0, usedPeers, s.bytesUploaded() / 1048576.0, s.millis() / 1000.0,
                    r.error() == null ? "" : ": FAILED: " + r.error());
        }

        private int report(List<Viewer> results, String originAddress, long originUploaded, long wallMillis,
                           Path runDir) throws IOException {
            List<Double> continuity = new ArrayList<>();
            List<Long> startup = new ArrayList<>();
            long stalls = 0;
            long stallMillis = 0;
            long fromPeers = 0;
            long received = 0;
            long viewersUploaded = 0;
            int failed = 0;
            for (Viewer r : results) {
                failed += r.ok() ? 0 : 1;
                if (r.stats() == null) {
                    continuity.add(0.0); // a viewer with no figures played nothing
                    continue;
                }
                Stats s = r.stats();
                continuity.add(s.complete() ? s.continuity() : 0.0);
                if (s.startupMillis() >= 0) {
                    startup.add(s.startupMillis());
                }
                stalls += s.stalls();
                stallMillis += s.stallMillis();
                viewersUploaded += s.bytesUploaded();
                for (Stats.PeerBytes p : s.peers()) {
                    received += p.bytes();
                    fromPeers += p.address().equals(originAddress) ? 0 : p.bytes();
                }
            }
            continuity.sort(Comparator.naturalOrder());
            startup.sort(Comparator.naturalOrder());
            double minContinuity = continuity.get(0);
            double medianContinuity = median(continuity);
            long medianStartup = startup.isEmpty() ? -1
                    : Math.round(median(startup.stream().map(Long::doubleValue).toList()));
            long maxStartup = startup.isEmpty() ? -1 : startup.get(startup.size() - 1);
            double copies = originUploaded / (double) size;
            double offload = received == 0 ? 0 : fromPeers / (double) received;
            int atTarget = (int) results.stream().filter(r -> r.ok() && r.stats().continuity() >= 0.99).count();

            System.out.printf(Locale.ROOT,
                    "summary: %d viewers, %d failed, continuity min %.3f median %.3f (%d of %d >= 0.99),"
                            + " %d stalls (%d ms), origin uploaded %.2f copies, offload %.3f,"
                            + " viewers uploaded %.2f copies, start-up median %d ms max %d ms, %.1f s%n",
                    results.size(), failed, minContinuity, medianContinuity, atTarget, results.size(), stalls,
                    stallMillis, copies, offload, viewersUploaded / (double) size, medianStartup, maxStartup,
                    wallMillis / 1000.0);
            System.out.printf(Locale.ROOT, "row: | %d | %.3f | %.3f | %d of %d | %d | %.2f | %.3f | %s | %s | %s |%n",
                    results.size(), minContinuity, medianContinuity, atTarget, results.size(), stalls, copies, offload,
                    medianStartup < 0 ? "n/a" : medianStartup, maxStartup < 0 ? "n/a" : maxStartup,
                    failed == 0 ? "all complete, SHA-256 match" : failed + " FAILED");
            System.out.printf(Locale.ROOT, "json: {\"viewers\": %d, \"bitrate\": %d, \"size\": %d, \"failed\": %d,"
                            + " \"continuityMin\": %.4f, \"continuityMedian\": %.4f, \"atTarget\": %d, \"stalls\": %d,"
                            + " \"stallMillis\": %d, \"originUploadedBytes\": %d, \"originCopies\": %.3f,"
                            + " \"offload\": %.4f, \"viewersUploadedBytes\": %d,"
                            + " \"startupMedianMillis\": %d, \"startupMaxMillis\": %d, \"wallMillis\": %d}%n",
                    results.size(), bitrate, size, failed, minContinuity, medianContinuity, atTarget, stalls,
                    stallMillis, originUploaded, copies, offload, viewersUploaded, medianStartup, maxStartup,
                    wallMillis);
            if (failed > 0) {
                System.err.printf("FAILED: %d of %d viewers did not deliver the exact stream:%n",
                        failed, results.size());
                for (Viewer r : results) {
                    if (!r.ok()) {
                        System.err.printf("  viewer %d: %s%n", r.index(), r.error() != null ? r.error() : "incomplete");
                    }
                }
                return 1;
            }
            if (!Boolean.getBoolean("swarm.keep")) {
                deleteTree(runDir);
            }
            return 0;
        }
    }

    static double median(List<Double> sorted) {
        int n = sorted.size();
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Deterministic pseudo-random bytes (incompressible, like video), written once and reused while the size fits. */
    static void generate(Path file, long size) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        SplittableRandom random = new SplittableRandom(3);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(tmp)) {
            for (long left = size; left > 0; ) {
                for (int i = 0; i < buf.length; i += 8) {
                    long x = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        buf[i + b] = (byte) (x >>> (8 * b));
                    }
                }
                int n = (int) Math.min(left, buf.length);
                out.write(buf, 0, n);
                left -= n;
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

}
