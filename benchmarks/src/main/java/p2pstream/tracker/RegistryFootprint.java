package p2pstream.tracker;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.PeerId;

/**
 * Heap bytes per (stream, peer) entry of the tracker's {@link Registry}, measured in-process (a plain
 * {@code main}, not JMH): for each shape STREAMSxPEERS, the GC'd heap in use before and after announcing
 * STREAMS x PEERS entries spread over a fixed set of sessions, divided by the entries; then the time to look up
 * (and encode the PEERS answer, as the tracker does) and to empty it again, and the heap left after emptying (a
 * leak would show there). Single-threaded: the registry's own rule (confined to one thread) holds. Run with a
 * fixed heap so the figures are comparable:
 *
 * <pre>
 * java -Xms2g -Xmx2g -cp dist/benchmarks.jar p2pstream.tracker.RegistryFootprint [SHAPE...]
 *     [--sessions N] [--name-bytes N]
 *   SHAPE         STREAMSxPEERS, e.g. 10000x100 (default: 10000x100 1000x1000 100000x10 1000000x1)
 *   --sessions    sessions holding the entries (default 10000); a shape's entries are spread evenly over them
 *   --name-bytes  pad every stream name to this many characters (default: ~25, a short path)
 * </pre>
 *
 * Also prints the registry's own estimate of its heap (what {@code --max-memory} bounds) beside the measured one.
 * Prints one line per shape and a markdown row per shape ({@code row: | ... |}) for scripts. The sessions' own
 * records (peer id, address) are made before the first measurement: they belong to the sessions, not to the
 * entries, and the tracker holds them for its connections anyway.
 */
public final class RegistryFootprint {
    private static final int CHUNK = 256 * 1024;
    private static final int LOOKUP_PEERS = 50;
    private static int nameBytes;

    private RegistryFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = 10_000;
        List<int[]> shapes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--sessions") && i + 1 < args.length) {
                sessions = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--name-bytes") && i + 1 < args.length) {
                nameBytes = Integer.parseInt(args[++i]);
            } else if (args[i].matches("\\d+x\\d+")) {
                String[] p = args[i].split("x");
                shapes.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])});
            } else {
                System.err.println("usage: RegistryFootprint [STREAMSxPEERS...] [--sessions N] [--name-bytes N]");
                System.exit(2);
            }
        }
        if (shapes.isEmpty()) {
            shapes.add(new int[] {10_000, 100});
            shapes.add(new int[] {1_000, 1_000});
            shapes.add(new int[] {100_000, 10});
            shapes.add(new int[] {1_000_000, 1});
        }
        System.out.printf(Locale.ROOT, "registry footprint: %d sessions, max heap %d MiB, %s %s%n", sessions,
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
        TrackerSession.Peer[] peers = peers(sessions);
        for (int[] shape : shapes) {
            measure(shape[0], shape[1], peers);
        }
    }

    private static void measure(int streams, int perStream, TrackerSession.Peer[] peers) throws UnknownHostException {
        long entries = (long) streams * perStream;
        int sessions = peers.length;
        if (entries % sessions != 0 || entries / sessions > streams
                || entries / sessions > Registry.MAX_STREAMS_PER_SESSION) {
            throw new IllegalArgumentException("shape " + streams + "x" + perStream + " over " + sessions
                    + " sessions: entries must divide evenly, at most one per (session, stream)");
        }
        int perSession = (int) (entries / sessions);
        Registry registry = new Registry(Long.MAX_VALUE, Long.MAX_VALUE); // measured, not bounded
        long before = usedHeapAfterGc();
        long t0 = System.nanoTime();
        // session j holds streams j*perSession .. j*perSession+perSession-1 (mod streams): distinct within a
        // session, and every stream ends up with exactly perStream holders
        long k = 0;
        for (int j = 0; j < sessions; j++) {
            for (int i = 0; i < perSession; i++, k++) {
                int s = (int) (k % streams);
                // a fresh id and name for every announcement, as decoded off the wire: whatever the registry keeps
                // of them is counted, whatever it drops is garbage
                String refused = registry.announce(peers[j], new Announce(contentId(s), name(s), 4L * CHUNK, CHUNK, 4,
                        (j & 1) == 0 ? 4 : 2));
                if (refused != null) {
                    throw new IllegalStateException(refused);
                }
            }
        }
        long fillNanos = System.nanoTime() - t0;
        long after = usedHeapAfterGc();
        if (registry.entryCount() != entries) {
            throw new IllegalStateException("entries: " + registry.entryCount() + " (expected: " + entries + ")");
        }
        double perEntry = (after - before) / (double) entries;
        long estimated = registry.bytes();

        SplittableRandom random = new SplittableRandom(1);
        int lookups = 200_000;
        long found = 0;
        long t1 = System.nanoTime();
        for (int i = 0; i < lookups; i++) {
            int s = random.nextInt(streams);
            // encoded as the tracker sends it; the peer count is the u16 before the entries
            ByteBuffer frame = Frames.encode(registry.lookup(contentId(s), null, LOOKUP_PEERS,
                    peers[random.nextInt(sessions)].sessionId()));
            int nameBytes = frame.getShort(Frames.HEADER_BYTES + 1 + ContentId.BYTES) & 0xffff;
            found += frame.getShort(Frames.HEADER_BYTES + 1 + ContentId.BYTES + 2 + nameBytes + 8 + 4) & 0xffff;
        }
        long lookupNanos = System.nanoTime() - t1;
        long expectPerLookup = Math.min(LOOKUP_PEERS, perStream - 1);
        if (found < (long) lookups * expectPerLookup) {
            throw new IllegalStateException("lookups found " + found + " peers (expected: at least "
                    + lookups * expectPerLookup + ")");
        }

        long t2 = System.nanoTime();
        for (TrackerSession.Peer p : peers) {
            registry.removeSession(p.sessionId());
        }
        long removeNanos = System.nanoTime() - t2;
        if (registry.entryCount() != 0 || registry.streamCount() != 0) {
            throw new IllegalStateException("left after removing every session: " + registry.entryCount() + " entries, "
                    + registry.streamCount() + " streams");
        }
        long emptied = usedHeapAfterGc();
        Reference.reachabilityFence(registry);

        String shape = streams + " streams x " + perStream + " peers";
        System.out.printf(Locale.ROOT, "%s = %d entries: %.1f bytes/entry (%.1f MiB); fill %.0f entries/s,"
                        + " lookup(max %d) %.0f/s, remove %.0f entries/s; %+.1f MiB left after removing every session;"
                        + " names of %d characters, the registry's estimate %.1f MiB (%.0f%% of measured)%n",
                shape, entries, perEntry, (after - before) / 1048576.0, entries / (fillNanos / 1e9), LOOKUP_PEERS,
                lookups / (lookupNanos / 1e9), entries / (removeNanos / 1e9), (emptied - before) / 1048576.0,
                name(0).length(), estimated / 1048576.0, 100.0 * estimated / (after - before));
        System.out.printf(Locale.ROOT, "row: | %s | %d | %.1f | %.1f | %.0f | %.0f |%n", shape, entries, perEntry,
                (after - before) / 1048576.0, entries / (fillNanos / 1e9), lookups / (lookupNanos / 1e9));
    }

    /** Random-looking, as SHA-256 ids are (patterned ids would crowd a few hash buckets); the same for a stream. */
    private static ContentId contentId(int stream) {
        SplittableRandom r = new SplittableRandom(0x5eed_0000_0000L + stream);
        return new ContentId(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong());
    }

    private static String name(int stream) {
        String name = "bench/stream-" + (10_000_000 + stream) + ".ts";
        return name.length() >= nameBytes ? name : "x".repeat(nameBytes - name.length()) + name;
    }

    private static TrackerSession.Peer[] peers(int sessions) throws UnknownHostException {
        TrackerSession.Peer[] peers = new TrackerSession.Peer[sessions];
        byte[] ip = {127, 0, 0, 0};
        for (int j = 0; j < sessions; j++) {
            ip[1] = (byte) (j >> 16);
            ip[2] = (byte) (j >> 8);
            ip[3] = (byte) j;
            peers[j] = new TrackerSession.Peer(j + 1, PeerId.random(),
                    new InetSocketAddress(InetAddress.getByAddress(ip.clone()), 4000 + (j % 1000)));
        }
        return peers;
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // a few rounds: the figure settles once finalizable and soft garbage is gone
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
