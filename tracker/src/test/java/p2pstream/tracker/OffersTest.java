package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import p2pstream.common.access.Grant;
import p2pstream.common.access.Offer;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;

/**
 * The bounds of {@link Offers} in process, as the registry loop runs it, with small bounds: at the tracker's cap a
 * sender holding the most loses its oldest, one holding fewer never does, and when every sender holds one the new
 * offer is refused instead; expired offers are swept out and no longer take room.
 */
class OffersTest {
    private static final long SIZE = 1_000;
    private static final Identity LEGIT = Identity.generate();
    private static final Identity GREEDY = Identity.generate();
    private static final Identity THIRD = Identity.generate();
    private static final long READER_SESSION = 99;

    private final Registry registry = new Registry();
    private final List<Offer.Answer> answers = new ArrayList<>();
    private int streams;

    private static long session(Identity who) {
        return who == LEGIT ? 1 : who == GREEDY ? 2 : 3;
    }

    /**
     * {@code who}'s session announces a new stream privately to {@code to} and offers it, its grant valid until
     * {@code expiresMillis}; the tracker's answer (TAKEN or REFUSED).
     */
    private Offer offer(Offers offers, Identity who, PeerId to, long expiresMillis) {
        int n = ++streams;
        ContentId id = new ContentId(9, 9, 9, n);
        Announce a = new Announce(id, "s" + n, SIZE, 16 * 1024, 1, 1);
        Grant g = Grant.forStream(who, to, id, expiresMillis);
        TrackerSession.Peer peer = new TrackerSession.Peer(session(who), who.peerId(),
                new InetSocketAddress("127.0.0.1", 1000 + (int) session(who)));
        assertEquals(null, registry.announce(peer, a, new PrivateAnnounce(a, List.of(g)), 0));
        Offer o = new Offer(a.name(), SIZE, g);
        offers.offer(registry, peer.sessionId(), o, 0, m -> answers.add((Offer.Answer) m));
        return o;
    }

    private Offer.Answer.Kind lastAnswer() {
        return answers.get(answers.size() - 1).kind();
    }

    /** The offers waiting for {@code reader}, as a session of it that subscribes now gets them. */
    private static List<Offer> waitingFor(Offers offers, PeerId reader, long nowMillis) {
        List<Offer> got = new ArrayList<>();
        Consumer<Message> to = m -> got.add((Offer) m);
        offers.subscribe(reader, READER_SESSION, nowMillis, to);
        offers.onSessionEnded(READER_SESSION);
        return got;
    }

    @Test
    void atTheTrackersCapTheSenderHoldingTheMostLosesItsOldestAndOneHoldingOneNever() {
        Offers offers = new Offers(64, 16, 8);
        PeerId reader = Identity.generate().peerId();
        Offer legit = offer(offers, LEGIT, reader, Long.MAX_VALUE);
        List<Offer> greedy = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            greedy.add(offer(offers, GREEDY, Identity.generate().peerId(), Long.MAX_VALUE)); // each to another reader
            assertEquals(Offer.Answer.Kind.TAKEN, lastAnswer(), "greedy offer " + i);
        }
        assertEquals(8, offers.size());
        assertEquals(List.of(legit), waitingFor(offers, reader, 0), "the oldest offer of all, but its sender's only");
        // a third sender's first offer takes the greedy one's oldest place, not the legitimate one's
        Offer third = offer(offers, THIRD, reader, Long.MAX_VALUE);
        assertEquals(Offer.Answer.Kind.TAKEN, lastAnswer());
        assertEquals(List.of(legit, third), waitingFor(offers, reader, 0));
        assertEquals(8, offers.size());
        assertEquals(5 + 1, offers.dropped(), "greedy's own 5 beyond 7, then 1 for the third sender");
        for (int i = 12 - 6; i < 12; i++) {
            PeerId to = greedy.get(i).grant().grantee();
            assertEquals(List.of(greedy.get(i)), waitingFor(offers, to, 0), "greedy's newest kept: " + i);
        }
    }

    @Test
    void whenEverySenderOfAFullReaderHoldsOneANewSenderIsRefusedAndNobodysOfferGoes() {
        Offers offers = new Offers(2, 16, 4_096);
        PeerId reader = Identity.generate().peerId();
        Offer legit = offer(offers, LEGIT, reader, Long.MAX_VALUE);
        Offer greedy = offer(offers, GREEDY, reader, Long.MAX_VALUE);
        offer(offers, THIRD, reader, Long.MAX_VALUE);
        assertEquals(Offer.Answer.Kind.REFUSED, lastAnswer());
        assertTrue(answers.get(answers.size() - 1).reason().contains("one from each sender"),
                answers.get(answers.size() - 1).reason());
        assertEquals(List.of(legit, greedy), waitingFor(offers, reader, 0));
        // a sender that holds one may replace its own by a newer one
        Offer newer = offer(offers, GREEDY, reader, Long.MAX_VALUE);
        assertEquals(Offer.Answer.Kind.TAKEN, lastAnswer());
        assertEquals(List.of(legit, newer), waitingFor(offers, reader, 0));
    }

    @Test
    void expiredOffersAreSweptOutAndNoLongerTakeRoom() {
        Offers offers = new Offers(64, 4, 4_096);
        PeerId reader = Identity.generate().peerId();
        for (int i = 0; i < 4; i++) {
            offer(offers, GREEDY, reader, 5_000);
        }
        assertEquals(0, offers.expire(4_999), "not yet");
        assertEquals(4, offers.size());
        assertEquals(4, offers.expire(5_000));
        assertEquals(0, offers.size());
        assertEquals(4, offers.expired());
        List<Offer> fresh = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fresh.add(offer(offers, GREEDY, reader, Long.MAX_VALUE));
        }
        assertEquals(0, offers.dropped(), "the expired ones took no room: nothing dropped for the fresh ones");
        assertEquals(fresh, waitingFor(offers, reader, 6_000));
    }
}
