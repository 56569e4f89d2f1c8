package p2pstream.tracker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import p2pstream.common.access.Offer;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;

/**
 * The offers waiting at the tracker (PROTOCOL.md section 10, "Sending to one reader"): each an owner's OFFER of a
 * private stream to one reader, kept while the owner's session holds the stream, handed to every session of the
 * reader that subscribed, now or later. Bounded: {@value #MAX_PER_RECIPIENT} waiting per reader and
 * {@value #MAX_PENDING} in all (the oldest dropped), {@value #MAX_PER_SESSION} per offering session (more are
 * refused). Confined to the registry loop, like the {@link Registry} it asks whether the owner holds the stream.
 */
final class Offers {
    static final int MAX_PER_RECIPIENT = 64;
    static final int MAX_PENDING = 4_096;
    static final int MAX_PER_SESSION = 256;
    /** Sessions of one id that take its offers at most: more subscriptions are not kept. */
    static final int MAX_SUBSCRIBERS_PER_ID = 16;

    /** One offer: the session that made it, the stream and the reader. */
    private record Key(long session, ContentId id, PeerId grantee) {
    }

    private static final class Pending {
        final Offer offer;
        final Consumer<Message> sender;
        boolean delivered;

        Pending(Offer offer, Consumer<Message> sender) {
            this.offer = offer;
            this.sender = sender;
        }
    }

    /** Oldest first: a newer offer of the same key replaces (and moves behind) the one before. */
    private final LinkedHashMap<Key, Pending> pending = new LinkedHashMap<>();
    private final Map<PeerId, Integer> perRecipient = new HashMap<>();
    private final Map<Long, Integer> perSession = new HashMap<>();
    /** The sessions of each id that take offers, by session id. */
    private final Map<PeerId, Map<Long, Consumer<Message>>> subscribers = new HashMap<>();
    private final Map<Long, PeerId> subscribedAs = new HashMap<>();
    private long dropped;

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
        if (refused != null) {
            sender.accept(new Offer.Answer(Offer.Answer.Kind.REFUSED, o.contentId(), grantee, refused));
            return;
        }
        remove(key);
        if (perRecipient.getOrDefault(grantee, 0) >= MAX_PER_RECIPIENT) {
            dropOldest(grantee);
        }
        if (pending.size() >= MAX_PENDING) {
            dropOldest(null);
        }
        Pending p = new Pending(o, sender);
        pending.put(key, p);
        perRecipient.merge(grantee, 1, Integer::sum);
        perSession.merge(session, 1, Integer::sum);
        sender.accept(new Offer.Answer(Offer.Answer.Kind.TAKEN, o.contentId(), grantee, ""));
        for (Consumer<Message> s : subscribers.getOrDefault(grantee, Map.of()).values()) {
            deliver(p, s);
        }
    }

    /**
     * The session {@code session}, proved to be {@code id}, takes offers from now on: it gets every one waiting for
     * {@code id} whose grant has not expired at {@code nowMillis}, then each as it comes. False when {@code id} has
     * {@value #MAX_SUBSCRIBERS_PER_ID} subscribed sessions already (this one gets nothing).
     */
    boolean subscribe(PeerId id, long session, long nowMillis, Consumer<Message> to) {
        Map<Long, Consumer<Message>> sessions = subscribers.computeIfAbsent(id, k -> new HashMap<>());
        if (sessions.size() >= MAX_SUBSCRIBERS_PER_ID && !sessions.containsKey(session)) {
            return false;
        }
        sessions.put(session, to);
        subscribedAs.put(session, id);
        List<Key> expired = new ArrayList<>();
        for (Map.Entry<Key, Pending> e : pending.entrySet()) {
            if (e.getKey().grantee.equals(id)) {
                if (e.getValue().offer.grant().expiresMillis() <= nowMillis) {
                    expired.add(e.getKey());
                } else {
                    deliver(e.getValue(), to);
                }
            }
        }
        expired.forEach(this::remove);
        return true;
    }

    /** The session withdrew the stream {@code id}: its offers of it go (as its grants do). */
    void onWithdrawn(long session, ContentId id) {
        pending.keySet().removeIf(k -> k.session == session && k.id.equals(id) && forget(k));
    }

    /** The session ended: its offers go, and it takes none. */
    void onSessionEnded(long session) {
        if (perSession.containsKey(session)) {
            pending.keySet().removeIf(k -> k.session == session && forget(k));
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

    /** Offers dropped to make room (the oldest of a reader, or of all). */
    long dropped() {
        return dropped;
    }

    private void deliver(Pending p, Consumer<Message> to) {
        to.accept(p.offer);
        if (!p.delivered) {
            p.delivered = true;
            p.sender.accept(new Offer.Answer(Offer.Answer.Kind.DELIVERED, p.offer.contentId(),
                    p.offer.grant().grantee(), ""));
        }
    }

    /** Drops the oldest offer to {@code grantee} (null: of anyone). */
    private void dropOldest(PeerId grantee) {
        for (Iterator<Key> it = pending.keySet().iterator(); it.hasNext(); ) {
            Key k = it.next();
            if (grantee == null || k.grantee.equals(grantee)) {
                it.remove();
                forget(k);
                dropped++;
                return;
            }
        }
    }

    private void remove(Key key) {
        if (pending.remove(key) != null) {
            forget(key);
        }
    }

    /** Takes a removed key off the counts; true, for removeIf. */
    private boolean forget(Key k) {
        perRecipient.computeIfPresent(k.grantee, (g, n) -> n == 1 ? null : n - 1);
        perSession.computeIfPresent(k.session, (s, n) -> n == 1 ? null : n - 1);
        return true;
    }
}
