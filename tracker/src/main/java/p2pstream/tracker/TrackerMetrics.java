package p2pstream.tracker;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import p2pstream.common.metrics.Counter;
import p2pstream.common.metrics.Histogram;
import p2pstream.common.metrics.HttpStatusCounts;
import p2pstream.common.metrics.Metrics;
import p2pstream.common.metrics.RecentRate;
import p2pstream.common.wire.Dial;

/**
 * A tracker's metrics: what its sessions asked (counted as they read it, on their loops), the registry's figures
 * (read from the registry when written), how long a session's registry work waits for the registry loop, and the
 * HTTP responses. The counters are for any thread; {@link #text} and {@link #sampleRates} run on the registry loop,
 * where the registry may be read.
 */
final class TrackerMetrics {
    /** From a tenth of a millisecond (an idle registry loop) to a second (one far behind). */
    static final double[] BATCH_BUCKETS_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.25, 0.5, 1};
    /** Lookups per second are shown over the last 10 s: 11 samples a second apart. */
    static final int RATE_SAMPLES = 11;

    private final Metrics metrics = new Metrics();
    final Counter sessionsOpened;
    final Counter lookups;
    final Counter lists;
    final Counter announces;
    final Counter withdraws;
    final Counter offers;
    final Histogram registryBatchSeconds;
    /** Dial-backs by outcome, connections arranged by mode (section 11). */
    private final Counter reachable;
    private final Counter unreachable;
    private final Counter reversals;
    private final Counter punches;
    private final Counter relayed;
    final HttpStatusCounts http;
    /** Sessions past HELLO and not closed; changed on the sessions' loops. */
    private final AtomicInteger sessionsOpen = new AtomicInteger();
    /** Registry loop only. */
    private final RecentRate lookupRate = new RecentRate(RATE_SAMPLES);

    TrackerMetrics(Tracker tracker, Registry registry) {
        String p = "p2pstream_tracker_";
        metrics.gauge(p + "sessions", "Peer sessions open (past HELLO).", sessionsOpen::get);
        sessionsOpened = metrics.counter(p + "sessions_opened_total", "Peer sessions opened (HELLO accepted).");
        metrics.gauge(p + "announcing_sessions", "Sessions holding at least one registry entry.",
                registry::sessionCount);
        metrics.gauge(p + "connections", "TCP connections open, before HELLO included.", tracker::connectionCount);
        metrics.gauge(p + "streams", "Streams (distinct content ids) in the registry.", registry::streamCount);
        metrics.gauge(p + "entries", "(stream, peer) entries in the registry.", registry::entryCount);
        metrics.gauge(p + "entry_limit", "Entries held at most (--max-entries).", registry::maxEntries);
        metrics.gauge(p + "registry_bytes", "The registry's estimated heap, names included.", registry::bytes);
        metrics.gauge(p + "registry_limit_bytes", "The registry's heap at most (--max-memory).", registry::maxBytes);
        lookups = metrics.counter(p + "lookups_total", "LOOKUP requests received.");
        lists = metrics.counter(p + "lists_total", "LIST requests received.");
        announces = metrics.counter(p + "announces_total", "ANNOUNCE messages received.");
        withdraws = metrics.counter(p + "withdraws_total", "WITHDRAW messages received.");
        offers = metrics.counter(p + "offers_total", "OFFERs of a private stream to one reader received.");
        metrics.gauge(p + "offers_pending", "Offers kept for their readers (section 10).",
                () -> tracker.offers().size());
        Map<String, LongSupplier> offersDropped = new LinkedHashMap<>();
        offersDropped.put("room", () -> tracker.offers().dropped());
        offersDropped.put("expired", () -> tracker.offers().expired());
        metrics.counters(p + "offers_dropped_total", "Offers dropped before their stream was withdrawn, by reason:"
                + " to make room (the oldest of the sender holding the most), their grant expired.", "reason",
                offersDropped);
        Map<String, LongSupplier> refusals = new LinkedHashMap<>();
        for (Registry.Refusal why : Registry.Refusal.values()) {
            refusals.put(why.label, () -> registry.refusals(why));
        }
        metrics.counters(p + "refusals_total", "Announcements refused, by reason: a conflicting announcement of a"
                + " known content id, a session at its stream limit, the tracker at its entry or memory limit.",
                "reason", refusals);
        Map<String, LongSupplier> beacon = new LinkedHashMap<>();
        beacon.put("answered", () -> tracker.beaconCount(TrackerBeacon::answered));
        beacon.put("malformed", () -> tracker.beaconCount(TrackerBeacon::malformed));
        beacon.put("limited", () -> tracker.beaconCount(TrackerBeacon::limited));
        metrics.counters(p + "beacon_queries_total", "LAN beacon datagrams received, by outcome: answered, dropped as"
                + " no query, dropped over the answer limit.", "outcome", beacon);
        registryBatchSeconds = metrics.histogram(p + "registry_batch_seconds", "Time from a session handing a batch"
                + " of requests to the registry loop to its answers being back on the session's loop.",
                BATCH_BUCKETS_SECONDS);
        reachable = metrics.counter(p + "dial_backs_reached_total", "Peers the tracker dialed back and reached.");
        unreachable = metrics.counter(p + "dial_backs_failed_total",
                "Peers the tracker could not dial back (behind a NAT or firewall).");
        reversals = metrics.counter(p + "reversals_total", "Holders told to connect to the viewer that asked.");
        punches = metrics.counter(p + "punches_total", "Simultaneous opens arranged between two NATed peers.");
        relayed = metrics.counter(p + "relayed_total", "Circuits arranged through a relay after a punch failed.");
        http = new HttpStatusCounts(metrics, p + "http_requests_total", "HTTP requests answered, by status class.");
    }

    /** A session passed HELLO. Its loop. */
    void onSessionOpened() {
        sessionsOpen.incrementAndGet();
        sessionsOpened.inc();
    }

    /** The dial-back of a session ended. Any thread. */
    void onDialBack(boolean reached) {
        (reached ? reachable : unreachable).inc();
    }

    /** A connection was arranged. Any thread. */
    void onArranged(Dial.Mode mode) {
        (switch (mode) {
            case REVERSAL -> reversals;
            case PUNCH -> punches;
            case RELAY -> relayed;
        }).inc();
    }

    /** A session that passed HELLO closed. Its loop. */
    void onSessionClosed() {
        sessionsOpen.decrementAndGet();
    }

    int sessionsOpen() {
        return sessionsOpen.get();
    }

    /** Takes this second's sample of the counts shown as rates. Registry loop, once a second. */
    void sampleRates(long nowNanos) {
        lookupRate.sample(nowNanos, lookups.value());
    }

    /** LOOKUPs per second over the last 10 s. Registry loop. */
    double lookupsPerSecond() {
        return lookupRate.perSecond();
    }

    /** The exposition text. Registry loop: the registry's gauges are read as it is written. */
    String text() {
        return metrics.text();
    }
}
