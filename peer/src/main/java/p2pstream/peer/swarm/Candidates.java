package p2pstream.peer.swarm;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.peer.tracker.TrackerClient;

/**
 * The peer addresses a download may still try: those the tracker named, minus the banned (they sent a bad
 * chunk) and, for a while, those that just failed; and the tracker lookups that refill them, at most one in
 * flight and one every lookup interval. Addresses on this host's LANs ({@link LocalNetworks}) are tried before
 * the others: local traffic first. Confined to the download's loop thread.
 */
public final class Candidates {
    private static final Logger log = LoggerFactory.getLogger(Candidates.class);
    /** The retry delay doubles at most this many times: 2 s, 4, 8, up to 16 s at the default delay. */
    static final int MAX_BACKOFF_DOUBLINGS = 3;
    /**
     * Bounds on what a tracker's answers can make a viewer do: addresses queued at once, and connection
     * attempts per second across all addresses (a burst of {@link #ATTEMPT_BURST} at start, then this rate).
     * A lying tracker naming 200 ports every lookup gets a few attempts a second, not hundreds.
     */
    static final int MAX_QUEUED = 200;
    static final int ATTEMPTS_PER_SECOND = 20;
    static final int ATTEMPT_BURST = 32;
    /** Past this many addresses with a retry time, the expired ones are forgotten. */
    private static final int MAX_REMEMBERED = 4_096;
    private double attemptTokens = ATTEMPT_BURST;
    private long tokensNanos = Long.MIN_VALUE;
    private long attempts;
    private final Random random = new Random();
    private final long retryDelayNanos;
    private boolean lookupInFlight;
    private long lookupNanos = Long.MIN_VALUE / 2;
    private final LocalNetworks lan;
    /** Addresses to try, on this host's LANs first; {@link #MAX_QUEUED} in the two together. */
    private final ArrayDeque<InetSocketAddress> local = new ArrayDeque<>();
    private final ArrayDeque<InetSocketAddress> far = new ArrayDeque<>();
    private final Set<InetSocketAddress> banned = new HashSet<>();
    private final Map<InetSocketAddress, Long> retryAfterNanos = new HashMap<>();
    /** Failures in a row per address, for the back-off; cleared when the address delivers a chunk. */
    private final Map<InetSocketAddress, Integer> failures = new HashMap<>();
    /** Addresses the tracker's latest answers marked unreachable (PEERS flag bit 1). */
    private final Set<InetSocketAddress> unreachable = new HashSet<>();
    /** Addresses the tracker's latest answers marked as a router's mapped port (PEERS flag bit 2). */
    private final Set<InetSocketAddress> mapped = new HashSet<>();
    /**
     * The peer id the tracker named for an address, or the user pinned: what its handshake must prove. The least
     * recently named go first past {@link #MAX_REMEMBERED}; the queued addresses, named by the latest answers, keep
     * theirs.
     */
    private final Map<InetSocketAddress, PeerId> ids = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, PeerId> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    Candidates(long retryDelayMillis) {
        this(retryDelayMillis, LocalNetworks.NONE);
    }

    Candidates(long retryDelayMillis, LocalNetworks lan) {
        this.retryDelayNanos = retryDelayMillis * 1_000_000;
        this.lan = lan;
    }

    /**
     * Adds the peers of a tracker answer about stream {@code id} (an answer about another stream adds nothing):
     * no more than the lookup asked for, in random order (a tracker cannot line its picks up in front).
     */
    void addAll(Peers found, ContentId id) {
        if (found.contentId() != null && found.contentId().equals(id)) {
            List<Peers.Entry> entries = new ArrayList<>(found.peers());
            if (entries.size() > Swarm.LOOKUP_PEERS) {
                entries = entries.subList(0, Swarm.LOOKUP_PEERS); // more than asked for: the rest is a lie
            }
            Collections.shuffle(entries, random);
            for (Peers.Entry e : entries) {
                ids.put(e.address(), e.peerId()); // the newest answer names who listens there now
                remember(unreachable, e.address(), !e.reachable());
                remember(mapped, e.address(), e.mapped());
                add(e.address());
            }
        }
    }

    /**
     * Asks the tracker for more holders of {@code id} unless a lookup is in flight or one was made within
     * {@code intervalMillis}; {@code onAdded} runs on the loop once the answer's peers are added.
     */
    void lookUpIfDue(TrackerClient tracker, EventLoop loop, ContentId id, long intervalMillis, Runnable onAdded) {
        long now = loop.nanoTime();
        if (lookupInFlight || now - lookupNanos <= intervalMillis * 1_000_000) {
            return;
        }
        lookupInFlight = true;
        lookupNanos = now;
        tracker.lookup(Lookup.byContentId(id, Swarm.LOOKUP_PEERS)).whenComplete((found, error) -> loop.execute(() -> {
            lookupInFlight = false;
            if (error != null) {
                log.debug("lookup failed: {}", StreamFailure.rootMessage(error));
                return;
            }
            addAll(found, id);
            onAdded.run();
        }));
    }

    /** The first lookup is being made now: the next one waits an interval. */
    void lookedUp(long nowNanos) {
        lookupNanos = nowNanos;
    }

    /** Adds an address the tracker named, unless it is banned, already queued or the queue is full. */
    void add(InetSocketAddress address) {
        if (queued() < MAX_QUEUED && !banned.contains(address) && !isQueued(address)) {
            queueOf(address).add(address);
        }
    }

    private static void remember(Set<InetSocketAddress> set, InetSocketAddress a, boolean in) {
        if (!in) {
            set.remove(a);
        } else if (set.size() < MAX_REMEMBERED) {
            set.add(a);
        }
    }

    /** True when the tracker reached {@code address} at a port the holder's router forwards. */
    boolean mapped(InetSocketAddress address) {
        return mapped.contains(address);
    }

    /** False when the tracker said it could not dial {@code address} back (behind a NAT): dialing it is futile. */
    boolean reachable(InetSocketAddress address) {
        return !unreachable.contains(address);
    }

    /** Whether {@code address} is on this host's LANs: tried first, and its link told so. */
    boolean isLocal(InetSocketAddress address) {
        return lan.isLocal(address.getAddress());
    }

    private ArrayDeque<InetSocketAddress> queueOf(InetSocketAddress address) {
        return isLocal(address) ? local : far;
    }

    private int queued() {
        return local.size() + far.size();
    }

    private boolean isQueued(InetSocketAddress address) {
        return queueOf(address).contains(address);
    }

    /** The id the tracker named for {@code address}, or the user pinned; null for any (one that came to us). */
    PeerId expectedId(InetSocketAddress address) {
        return ids.get(address);
    }

    /** The user pinned {@code id} for {@code address} ({@code --peer HOST:PORT#ID}): its handshake must prove it. */
    void pin(InetSocketAddress address, PeerId id) {
        ids.put(address, id);
    }

    /** Connection attempts made so far (every address {@link #next} returned). */
    long attempts() {
        return attempts;
    }

    boolean isBanned(InetSocketAddress address) {
        return banned.contains(address);
    }

    /** Never try {@code address} again in this download. Returns false if it was banned already. */
    boolean ban(InetSocketAddress address) {
        queueOf(address).remove(address);
        return banned.add(address);
    }

    int bannedCount() {
        return banned.size();
    }

    /**
     * The connection to {@code address} ended: it may be tried again after the retry delay, doubled for each
     * failure in a row up to {@link #MAX_BACKOFF_DOUBLINGS} times, so a tarpit or a dead address costs less
     * and less while an honest peer that restarts is soon back.
     */
    /**
     * A punch to {@code address} failed: the first time in a row it is tried again at once (the tracker then has a
     * relay carry it), after that it backs off as any failure does.
     */
    void punchFailed(InetSocketAddress address, long nowNanos) {
        boolean first = !failures.containsKey(address);
        failed(address, nowNanos);
        if (first) {
            retryAfterNanos.remove(address);
            add(address);
        }
    }

    void failed(InetSocketAddress address, long nowNanos) {
        if (!banned.contains(address)) {
            int n = failures.merge(address, 1, Integer::sum);
            retryAfterNanos.put(address, nowNanos + (retryDelayNanos << Math.min(n - 1, MAX_BACKOFF_DOUBLINGS)));
            if (retryAfterNanos.size() > MAX_REMEMBERED) {
                forgetExpired(nowNanos);
            }
        }
    }

    private void forgetExpired(long nowNanos) {
        retryAfterNanos.entrySet().removeIf(e -> {
            boolean expired = e.getValue() - nowNanos <= 0 && !isQueued(e.getKey());
            if (expired) {
                failures.remove(e.getKey());
            }
            return expired;
        });
    }

    /** {@code address} delivered a verified chunk: its next failure starts the back-off afresh. */
    void delivered(InetSocketAddress address) {
        failures.remove(address);
    }

    /**
     * The next address worth a connection now, skipping {@code connected} ones, those on this host's LANs first;
     * null when none is, or when the attempts of the last second have used up the rate.
     */
    InetSocketAddress next(long nowNanos, Predicate<InetSocketAddress> connected) {
        if (tokensNanos != Long.MIN_VALUE) {
            attemptTokens =
                    Math.min(ATTEMPT_BURST, attemptTokens + (nowNanos - tokensNanos) * ATTEMPTS_PER_SECOND / 1e9);
        }
        tokensNanos = nowNanos;
        if (attemptTokens < 1) {
            return null;
        }
        InetSocketAddress a = next(local, nowNanos, connected);
        if (a == null) {
            a = next(far, nowNanos, connected);
        }
        if (a != null) {
            attemptTokens--;
            attempts++;
        }
        return a;
    }

    private InetSocketAddress next(ArrayDeque<InetSocketAddress> queue, long nowNanos,
                                   Predicate<InetSocketAddress> connected) {
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
