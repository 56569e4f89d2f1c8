package p2pstream.peer.tracker;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.GrantBudget;
import p2pstream.common.access.Offer;
import p2pstream.common.net.Connection;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * A tracker session's OFFERs (PROTOCOL.md section 10, "Sending to one reader"), both ways: the offers this peer
 * makes, sent after its announcements and again after every reconnect (the tracker forgets them with the session),
 * paced with the announcements' grant budget; and, once {@link #subscribe subscribed}, the offers made to it, each
 * checked (a good signature, naming this peer) before it is passed on, or the tracker's refusal of the
 * subscription. The {@link TrackerClient}'s loop only.
 */
final class TrackerOffers {
    private static final Logger log = LoggerFactory.getLogger(TrackerOffers.class);

    private record Key(ContentId id, PeerId grantee) {
    }

    private final PeerId self;
    /** Every offer made and not withdrawn: sent again to each new session. */
    private final Map<Key, Offer> made = new LinkedHashMap<>();
    private final ArrayDeque<Offer> unsent = new ArrayDeque<>();
    private Consumer<Offer.Answer> answers = a -> log.debug("offer answer ignored: {}", a);
    /** Null: this peer takes no offers. */
    private Consumer<Offer> inbox;
    private Consumer<String> subscriptionRefused;

    TrackerOffers(PeerId self) {
        this.self = self;
    }

    /** Keeps {@code o} (in place of an earlier offer of the stream to the same reader) and queues it. */
    void add(Offer o) {
        Key k = new Key(o.contentId(), o.grant().grantee());
        made.put(k, o);
        unsent.removeIf(u -> new Key(u.contentId(), u.grant().grantee()).equals(k));
        unsent.add(o);
    }

    /** The stream {@code id} is withdrawn: its offers are neither kept nor sent (the tracker drops them too). */
    void withdraw(ContentId id) {
        made.keySet().removeIf(k -> k.id.equals(id));
        unsent.removeIf(o -> o.contentId().equals(id));
    }

    void onAnswers(Consumer<Offer.Answer> listener) {
        answers = listener;
    }

    /**
     * From now on offers made to this peer go to {@code listener}, and the tracker's reason to {@code refused} when
     * it refuses the subscription; true the first time (SUBSCRIBE to send).
     */
    boolean subscribe(Consumer<Offer> listener, Consumer<String> refused) {
        boolean first = inbox == null;
        inbox = listener;
        subscriptionRefused = refused;
        return first;
    }

    /** A new session: everything made is sent again, after a SUBSCRIBE when this peer takes offers. */
    void onWelcome(Connection c) {
        unsent.clear();
        unsent.addAll(made.values());
        if (inbox != null) {
            c.send(new Offer.Subscribe());
        }
    }

    /** Sends what waits within {@code budget}; the milliseconds to wait before the rest, or 0 when all went. */
    long send(Connection c, GrantBudget budget) {
        while (!unsent.isEmpty()) {
            if (!c.isEncrypted()) {
                log.warn("offer of {} not sent: the tracker session is in plaintext (a private stream never travels in"
                        + " plaintext)", unsent.poll().name());
                continue;
            }
            if (!budget.take(1)) {
                return Math.max(1, budget.millisUntil(1));
            }
            c.send(unsent.poll());
        }
        return 0;
    }

    /**
     * An OFFER frame from the tracker: an answer to one of ours, or (subscribed) an offer to this peer. An offer
     * whose grant does not verify or names another peer is logged and ignored: the grant is the sender's proof.
     */
    void onFrame(ByteBuffer payload) throws ProtocolException {
        Message m;
        try {
            m = Offer.decode(payload);
        } catch (ProtocolException e) {
            if (e.code() != ErrorCode.AUTHENTICATION || inbox == null) {
                throw e;
            }
            log.warn("offer ignored: {}", e.getMessage());
            return;
        }
        if (m instanceof Offer.Answer a && inbox != null && a.refusesSubscription() && a.grantee().equals(self)) {
            subscriptionRefused.accept(a.reason());
        } else if (m instanceof Offer.Answer a) {
            answers.accept(a);
        } else if (m instanceof Offer o && inbox != null) {
            if (!o.grant().grantee().equals(self)) {
                log.warn("offer of {} from {} ignored: its grant names {} (expected: {}, this peer)", o.name(),
                        o.grant().owner().text(), o.grant().grantee().text(), self.text());
                return;
            }
            inbox.accept(o);
        } else {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "offer: " + m.getClass().getSimpleName()
                    + " (expected: " + (inbox == null ? "an answer to an offer of ours; this peer did not subscribe"
                    : "an offer or an answer") + ")");
        }
    }
}
