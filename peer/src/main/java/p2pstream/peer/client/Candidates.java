package p2pstream.peer.client;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The peer addresses a download may still try: those the tracker named, minus the banned (they sent a bad
 * chunk) and, for a while, those that just failed. Confined to the download's loop thread.
 */
final class Candidates {
    private final long retryDelayNanos;
    private final ArrayDeque<InetSocketAddress> queue = new ArrayDeque<>();
    private final Set<InetSocketAddress> banned = new HashSet<>();
    private final Map<InetSocketAddress, Long> retryAfterNanos = new HashMap<>();

    Candidates(long retryDelayMillis) {
        this.retryDelayNanos = retryDelayMillis * 1_000_000;
    }

    /** Adds an address the tracker named, unless it is banned or already queued. */
    void add(InetSocketAddress address) {
        if (!banned.contains(address) && !queue.contains(address)) {
            queue.add(address);
        }
    }

    /** Never try {@code address} again in this download. Returns false if it was banned already. */
    boolean ban(InetSocketAddress address) {
        queue.remove(address);
        return banned.add(address);
    }

    int bannedCount() {
        return banned.size();
    }

    /** The connection to {@code address} ended: it may be tried again after the retry delay. */
    void failed(InetSocketAddress address, long nowNanos) {
        if (!banned.contains(address)) {
            retryAfterNanos.put(address, nowNanos + retryDelayNanos);
        }
    }

    /** The next address worth a connection now, skipping {@code connected} ones; null when none is. */
    InetSocketAddress next(long nowNanos, Predicate<InetSocketAddress> connected) {
        for (int tries = queue.size(); tries > 0; tries--) {
            InetSocketAddress a = queue.poll();
            if (connected.test(a)) {
                continue; // already in use: drop it
            }
            Long retry = retryAfterNanos.get(a);
            if (retry != null && retry - nowNanos > 0) {
                queue.add(a); // failed recently: later
                continue;
            }
            return a;
        }
        return null;
    }
}
