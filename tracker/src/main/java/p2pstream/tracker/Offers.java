package p2pstream.tracker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import p2pstream.common.access.Offer;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;

/**
 * The offers waiting at the tracker (PROTOCOL.md section 10, "Sending to one reader"): each an owner's OFFER of a
 * private stream to one reader, kept while the owner's session holds the stream and its grant holds, handed to every
 * session of the reader that subscribed, now or later. Bounded, fairly between senders: {@value #MAX_PER_SENDER} per
 * (reader, sender), where a sender makes room by dropping its own oldest; {@value #MAX_PER_RECIPIENT} per reader and
 * {@value #MAX_PENDING} in all, where room is made by dropping the oldest offer of whoever holds the most (for that
 * reader, or in all), so a sender never pushes out the offers of one that holds fewer; {@value #MAX_PER_SESSION} per
 * offering session (more are refused). Offers whose grant expired are swept out by {@link #expire}. Confined to the
 * registry loop, like the {@link Registry} it asks whether the owner holds the stream.
 */
final class Offers {
    static final int MAX_PER_RECIPIENT = 64;
    /** Per (reader, sender): one sender, however many streams it announces, fills a quarter of a reader's room. */
    static final int MAX_PER_SENDER = 16;
    static final int MAX_PENDING = 4_096;
    static final int MAX_PER_SESSION = 256;
    /** Sessions of one id that take its offers at most: more subscriptions are refused. */
    static final int MAX_SUBSCRIBERS_PER_ID = 16;
    /** How often the registry loop sweeps out offers whose grant expired (grants last an hour). */
    static final long SWEEP_INTERVAL_MILLIS = 10_000;

    /** One offer: the session that made it, the stream and the reader. */
    private record Key(long session, ContentId id, PeerId grantee) {
    }

    private static final class Pending {
        final Offer offer;
        final Consumer<Message> sender;
        /** When it was taken: the lower, the older. */
        final long sequence;
        boolean delivered;

        Pending(Offer offer, Consumer<Message> sender, long sequence) {
            this.offer = offer;
            this.sender = sender;
            this.sequence = sequence;
        }

        PeerId from() {
            return offer.grant().owner();
        }
    }

    private final int maxPerRecipient;
    private final int maxPerSender;
    private final int maxPending;
    /** Oldest first: a newer offer of the same key replaces (and moves behind) the one before. */
    private final LinkedHashMap<Key, Pending> pending = new LinkedHashMap<>();
    /** By reader, then by sender: their keys, oldest first. */
    private final Map<PeerId, Map<PeerId, LinkedHashSet<Key>>> byRecipient = new HashMap<>();
    /** By sender, all readers: its keys, oldest first. */
    private final Map<PeerId, LinkedHashSet<Key>> bySender = new HashMap<>();
    private final Map<Long, Integer> perSession = new HashMap<>();
    /** The sessions of each id that take offers, by session id. */
    private final Map<PeerId, Map<Long, Consumer<Message>>> subscribers = new HashMap<>();
    private final Map<Long, PeerId> subscribedAs = new HashMap<>();
    private long taken;
    private long dropped;
    private long expired;

    Offers() {
        this(MAX_PER_RECIPIENT, MAX_PER_SENDER, MAX_PENDING);
    }

    /** Smaller bounds, for tests. */
    Offers(int maxPerRecipient, int maxPerSender, int maxPending) {
        this.maxPerRecipient = maxPerRecipient;
        this.maxPerSender = maxPerSender;
        this.maxPending = maxPending;
    }

    /**
     * The session {@code session}, proved to be the grant's owner, offers {@code o}; {@code sender} sends to it.
     * Checked against {@code registry}: the session must hold the stream as its private owner, under the name and
     * size offered, and the grant must not have expired at {@code nowMillis}. Answers TAKEN (and DELIVERED when a
     * subscribed session of the reader got it) or REFUSED with the reason.
     */
    void offer(Registry registry, long session, Offer o, long nowMillis, Consumer<Message> sender) {
        PeerId grantee = o.grant().grantee();
        String refused = registry.offerable(session, o.contentId(), o.grant().owner(), o.name(), o.size());
        Key key = new Key(session, o.contentId(), grantee);
        if (refused == null && o.grant().expiresMillis() <= nowMillis) {
            refused = "offer grant: expired (expected: an unexpired grant)";
        }
        if (refused == null && !pending.containsKey(key) && perSession.getOrDefault(session, 0) >= MAX_PER_SESSION) {
            refused = "offers waiting from this session: " + MAX_PER_SESSION + " (expected: fewer; they go when their"
                    + " streams are withdrawn)";
        }
        if (refused == null) {
            remove(key);
            refused = makeRoom(o.grant().owner(), grantee);
        }
        if (refused != null) {
            sender.accept(new Offer.Answer(Offer.Answer.Kind.REFUSED, o.contentId(), grantee, refused));
            return;
        }
        Pending p = new Pending(o, sender, taken++);
        pending.put(key, p);
        index(key, p.from());
        sender.accept(new Offer.Answer(Offer.Answer.Kind.TAKEN, o.contentId(), grantee, ""));
        for (Consumer<Message> s : subscribers.getOrDefault(grantee, Map.of()).values()) {
            deliver(p, s);
        }
    }

    /**
     * Room for one more offer from {@code from} to {@code grantee}, a dropped offer at most; null when there is, else
     * why not: every sender of a full reader (or of a full tracker) holds one offer, and {@code from} none to drop.
     */
    private String makeRoom(PeerId from, PeerId grantee) {
        Map<PeerId, LinkedHashSet<Key>> senders = byRecipient.getOrDefault(grantee, Map.of());
        LinkedHashSet<Key> own = senders.get(from);
        Key drop = null;
        if (own != null && own.size() >= maxPerSender) {
            drop = own.iterator().next();
        } else if (senders.values().stream().mapToInt(LinkedHashSet::size).sum() >= maxPerRecipient) {
            drop = fairestToDrop(senders, from);
            if (drop == null) {
                return "offers waiting for " + grantee.text() + ": " + maxPerRecipient + ", one from each sender"
                        + " (expected: fewer; try again later)";
            }
        } else if (pending.size() >= maxPending) {
            drop = fairestToDrop(bySender, from);
            if (drop == null) {
                return "offers waiting at this tracker: " + maxPending + ", one from each sender (expected: fewer;"
                        + " try again later)";
            }
        }
        if (drop != null) {
            remove(drop);
            dropped++;
        }
        return null;
    }

    /**
     * The oldest offer of whoever in {@code holders} holds the most, {@code from} counted with the offer it brings
     * (so a tie goes against it); the oldest first among equals. Null when {@code from} holds none and nobody holds
     * more than one: then no one's offer may go for it.
     */
    private Key fairestToDrop(Map<PeerId, LinkedHashSet<Key>> holders, PeerId from) {
        LinkedHashSet<Key> own = holders.get(from);
        int mine = own == null ? 1 : own.size() + 1;
        Key oldestOfMost = null;
        long oldestSequence = Long.MAX_VALUE;
        int most = mine;
        for (Map.Entry<PeerId, LinkedHashSet<Key>> e : holders.entrySet()) {
            int n = e.getValue().size();
            if (e.getKey().equals(from) || n < most || n == most && oldestOfMost == null) {
                continue;
            }
            Key oldest = e.getValue().iterator().next();
            long sequence = pending.get(oldest).sequence;
            if (n > most || sequence < oldestSequence) {
                most = n;
                oldestOfMost = oldest;
                oldestSequence = sequence;
            }
        }
        if (oldestOfMost != null) {
            return oldestOfMost;
        }
        return own == null ? null : own.iterator().next();
    }

    /**
     * The session {@code session}, proved to be {@code id}, takes offers from now on: it gets every one waiting for
     * {@code id} whose grant has not expired at {@code nowMillis}, then each as it comes. When {@code id} has
     * {@value #MAX_SUBSCRIBERS_PER_ID} subscribed sessions already, this one is refused instead
     * ({@link Offer.Answer#subscriptionRefused}) and gets nothing.
     */
    void subscribe(PeerId id, long session, long nowMillis, Consumer<Message> to) {
        Map<Long, Consumer<Message>> sessions = subscribers.computeIfAbsent(id, k -> new HashMap<>());
        if (sessions.size() >= MAX_SUBSCRIBERS_PER_ID && !sessions.containsKey(session)) {
            to.accept(Offer.Answer.subscriptionRefused(id, "sessions of " + id.text() + " taking offers: "
                    + MAX_SUBSCRIBERS_PER_ID + " (expected: fewer; end another inbox of this identity first)"));
            return;
        }
        sessions.put(session, to);
        subscribedAs.put(session, id);
        List<Key> gone = new ArrayList<>();
        for (Map.Entry<Key, Pending> e : pending.entrySet()) {
            if (e.getKey().grantee.equals(id)) {
                if (e.getValue().offer.grant().expiresMillis() <= nowMillis) {
                    gone.add(e.getKey());
                } else {
                    deliver(e.getValue(), to);
                }
            }
        }
        gone.forEach(this::remove);
        expired += gone.size();
    }

    /** Drops every offer whose grant has expired at {@code nowMillis}; how many. The periodic sweep calls it. */
    int expire(long nowMillis) {
        int before = pending.size();
        pending.entrySet().removeIf(e -> e.getValue().offer.grant().expiresMillis() <= nowMillis
                && forget(e.getKey(), e.getValue()));
        int gone = before - pending.size();
        expired += gone;
        return gone;
    }

    /** The session withdrew the stream {@code id}: its offers of it go (as its grants do). */
    void onWithdrawn(long session, ContentId id) {
        pending.entrySet().removeIf(e -> e.getKey().session == session && e.getKey().id.equals(id)
                && forget(e.getKey(), e.getValue()));
    }

    /** The session ended: its offers go, and it takes none. */
    void onSessionEnded(long session) {
        if (perSession.containsKey(session)) {
            pending.entrySet().removeIf(e -> e.getKey().session == session && forget(e.getKey(), e.getValue()));
        }
        PeerId id = subscribedAs.remove(session);
        if (id != null) {
            Map<Long, Consumer<Message>> sessions = subscribers.get(id);
            sessions.remove(session);
            if (sessions.isEmpty()) {
                subscribers.remove(id);
            }
        }
    }

    int size() {
        return pending.size();
    }

    /** Offers dropped to make room (the oldest of a sender, or of the sender holding the most). */
    long dropped() {
        return dropped;
    }

    /** Offers dropped because their grant expired (by the sweep, or found at a subscription). */
    long expired() {
        return expired;
    }

    private void deliver(Pending p, Consumer<Message> to) {
        to.accept(p.offer);
        if (!p.delivered) {
            p.delivered = true;
            p.sender.accept(new Offer.Answer(Offer.Answer.Kind.DELIVERED, p.offer.contentId(),
                    p.offer.grant().grantee(), ""));
        }
    }

    private void index(Key k, PeerId from) {
        byRecipient.computeIfAbsent(k.grantee, g -> new HashMap<>()).computeIfAbsent(from,
                f -> new LinkedHashSet<>()).add(k);
        bySender.computeIfAbsent(from, f -> new LinkedHashSet<>()).add(k);
        perSession.merge(k.session, 1, Integer::sum);
    }

    private void remove(Key key) {
        Pending p = pending.remove(key);
        if (p != null) {
            forget(key, p);
        }
    }

    /** Takes a removed offer out of the indexes and counts; true, for removeIf. */
    private boolean forget(Key k, Pending p) {
        PeerId from = p.from();
        Map<PeerId, LinkedHashSet<Key>> senders = byRecipient.get(k.grantee);
        if (senders != null && unlink(senders, from, k) && senders.isEmpty()) {
            byRecipient.remove(k.grantee);
        }
        unlink(bySender, from, k);
        perSession.computeIfPresent(k.session, (s, n) -> n == 1 ? null : n - 1);
        return true;
    }

    /** Takes {@code k} out of {@code from}'s keys in {@code index}, and an emptied set with it; true when it was in. */
    private static boolean unlink(Map<PeerId, LinkedHashSet<Key>> index, PeerId from, Key k) {
        LinkedHashSet<Key> keys = index.get(from);
        if (keys == null || !keys.remove(k)) {
            return false;
        }
        if (keys.isEmpty()) {
            index.remove(from);
        }
        return true;
    }
}
