package p2pstream.tracker;

import java.nio.ByteBuffer;
import p2pstream.common.access.GrantBudget;
import p2pstream.common.access.Offer;
import p2pstream.common.net.Connection;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.ProtocolException;

/**
 * One session's OFFERs (PROTOCOL.md section 10, "Sending to one reader"): refused in plaintext (FORBIDDEN), an
 * offer's grant checked against the session's proved id before its signature (AUTHENTICATION) and within the
 * session's grant-check budget (RATE_LIMITED), then handed to the registry loop's {@link Offers} in order with the
 * session's announcements; a SUBSCRIBE makes the session one that takes its id's offers (or, past the id's bound,
 * gets a REFUSED); later SUBSCRIBEs of the session are ignored. Session's loop only.
 */
final class SessionOffers {
    private final Tracker tracker;
    private final TrackerSession session;
    private final Connection connection;
    private boolean subscribed;

    SessionOffers(Tracker tracker, TrackerSession session, Connection connection) {
        this.tracker = tracker;
        this.session = session;
        this.connection = connection;
    }

    void onOffer(ByteBuffer payload, RegistryRequests requests) throws ProtocolException {
        if (!connection.isEncrypted()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "offer on a plaintext session (expected: an encrypted"
                    + " one; a private stream never travels in plaintext)");
        }
        boolean offer = payload.hasRemaining() && payload.get(payload.position()) == 2;
        if (offer) {
            GrantBudget checks = session.grantChecks();
            if (!checks.hasRoom()) {
                throw new ProtocolException(ErrorCode.RATE_LIMITED, "grants to check: more than "
                        + GrantBudget.TRACKER_BURST + " at once or " + GrantBudget.TRACKER_PER_SECOND + " a second"
                        + " (expected: within them)");
            }
            checks.spend(1);
        }
        TrackerSession.Peer peer = session.peer();
        Message m = Offer.decode(payload, peer.peerId());
        long now = connection.loop().clock().epochMicros() / 1000;
        if (m instanceof Offer o) {
            tracker.metrics().offers.inc();
            requests.update(r -> tracker.offers().offer(r, peer.sessionId(), o, now, session::send));
        } else if (m instanceof Offer.Subscribe && !subscribed) {
            subscribed = true;
            session.onRegistryLoop(() -> tracker.offers().subscribe(peer.peerId(), peer.sessionId(), now,
                    session::send));
        } else if (m instanceof Offer.Answer a) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "offer kind: " + a.kind() + " (expected: SUBSCRIBE or"
                    + " OFFER from a peer)");
        }
    }
}
