package p2pstream.peer.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import p2pstream.common.access.Grant;
import p2pstream.common.access.Offer;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * A peer's side of OFFER: once subscribed, an offer whose grant names this peer is passed on; one naming another
 * peer, or whose signature does not verify, is ignored (logged), never an error that would drop the session; an
 * offer before subscribing is UNEXPECTED; the tracker's answers go to their listener, its refusal of the
 * subscription to its own.
 */
class TrackerOffersTest {
    private static final Identity OWNER = Identity.generate();
    private static final PeerId SELF = Identity.generate().peerId();
    private static final ContentId ID = new ContentId(4, 3, 2, 1);

    private static ByteBuffer payload(Message m) {
        ByteBuffer b = ByteBuffer.allocate(m.payloadLength());
        m.encodePayload(b);
        return b.flip();
    }

    private static Offer offerTo(PeerId to) {
        return new Offer("june.bin", 1_000, Grant.forStream(OWNER, to, ID, Long.MAX_VALUE));
    }

    @Test
    void onlyOffersNamingThisPeerWithAGoodSignatureArePassedOn() throws Exception {
        TrackerOffers offers = new TrackerOffers(SELF);
        List<Offer> got = new ArrayList<>();
        List<Offer.Answer> answers = new ArrayList<>();
        offers.onAnswers(answers::add);
        ProtocolException early = assertThrows(ProtocolException.class, () -> offers.onFrame(payload(offerTo(SELF))));
        assertEquals(ErrorCode.UNEXPECTED, early.code(), "an offer before subscribing");
        List<String> refused = new ArrayList<>();
        assertEquals(true, offers.subscribe(got::add, refused::add));
        offers.onFrame(payload(offerTo(SELF)));
        offers.onFrame(payload(offerTo(Identity.generate().peerId())));
        ByteBuffer forged = payload(offerTo(SELF));
        forged.put(forged.limit() - 1, (byte) (forged.get(forged.limit() - 1) ^ 1));
        offers.onFrame(forged);
        assertEquals(List.of(offerTo(SELF)), got, "the good one only");
        Offer.Answer taken = new Offer.Answer(Offer.Answer.Kind.TAKEN, ID, SELF, "");
        offers.onFrame(payload(taken));
        assertEquals(List.of(taken), answers);
        assertEquals(List.of(), refused);
    }

    @Test
    void theTrackersRefusalOfTheSubscriptionGoesToItsListenerNotToTheAnswers() throws Exception {
        TrackerOffers offers = new TrackerOffers(SELF);
        List<Offer.Answer> answers = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        offers.onAnswers(answers::add);
        offers.subscribe(o -> { }, refused::add);
        offers.onFrame(payload(Offer.Answer.subscriptionRefused(SELF, "sessions of this id taking offers: 16")));
        assertEquals(List.of("sessions of this id taking offers: 16"), refused);
        // a refusal of one of our offers (a real content id) is an answer like any other
        Offer.Answer offerRefused = new Offer.Answer(Offer.Answer.Kind.REFUSED, ID, SELF, "expired");
        offers.onFrame(payload(offerRefused));
        assertEquals(List.of(offerRefused), answers);
        assertEquals(1, refused.size());
    }
}
