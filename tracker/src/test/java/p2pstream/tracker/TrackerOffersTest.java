package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.access.Grant;
import p2pstream.common.access.Offer;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.FakeClock;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.net.WireBytes;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Withdraw;

/**
 * OFFER at a real tracker: an owner's offer of a stream it holds privately is taken and handed to the reader's
 * subscribed sessions, those that subscribe later included, and never to a session that did not subscribe; a
 * forged or another owner's grant ends the session (AUTHENTICATION), an offer of a stream the session does not hold
 * is refused alone; a withdrawn stream's offer and an ended session's go; pending offers are bounded fairly
 * between senders, swept out when their grant expires, and a subscription past the id's bound is refused.
 */
@Timeout(60)
class TrackerOffersTest extends TrackerFixture {
    private static final Identity OWNER = Identity.generate();
    private static final Identity READER = Identity.generate();
    private static final Identity STRANGER = Identity.generate();
    private static final String NAME = "holiday/june.mp4";
    private static final Announce JUNE = announce(ID, NAME);

    private RawClient session(Identity who, int listenPort) throws IOException, ProtocolException {
        RawClient c = RawClient.secure(tracker.address(), StaticKey.of(who));
        c.trackerHello(listenPort);
        return c;
    }

    private static Offer offer(Identity owner, PeerId to, ContentId id) {
        return new Offer(NAME, SIZE, Grant.forStream(owner, to, id, Long.MAX_VALUE));
    }

    /** The owner holds June privately, readable by READER. */
    private RawClient owner() throws IOException, ProtocolException {
        RawClient owner = session(OWNER, 5000);
        owner.send(new PrivateAnnounce(JUNE, List.of(Grant.forStream(OWNER, READER.peerId(), ID, Long.MAX_VALUE))));
        return owner;
    }

    private static Offer.Answer answer(RawClient c) throws IOException, ProtocolException {
        return c.expect(MessageType.OFFER, b -> (Offer.Answer) Offer.decode(b));
    }

    private static Offer offerReceived(RawClient c) throws IOException, ProtocolException {
        return c.expect(MessageType.OFFER, b -> (Offer) Offer.decode(b));
    }

    /** A LIST round trip: anything the tracker sent this session before it would come first (and fail this). */
    private static void nothingElseCame(RawClient c) throws IOException, ProtocolException {
        c.send(new ListStreams("", 1));
        c.expect(MessageType.STREAMS, Streams::decode);
    }

    @Test
    void aSubscriberGetsOffersMadeBeforeAndAfterItSubscribedAndANonSubscriberNone() throws Exception {
        try (RawClient owner = owner();
             RawClient quiet = session(READER, 0);
             RawClient stranger = session(STRANGER, 0)) {
            stranger.send(new Offer.Subscribe());
            Offer first = offer(OWNER, READER.peerId(), ID);
            owner.send(first);
            Offer.Answer taken = answer(owner);
            assertEquals(Offer.Answer.Kind.TAKEN, taken.kind());
            assertEquals(READER.peerId(), taken.grantee());
            nothingElseCame(quiet); // the reader's session that did not subscribe gets no unexpected frame
            nothingElseCame(stranger); // another id's subscription gets nothing of it
            try (RawClient reader = session(READER, 0)) {
                reader.send(new Offer.Subscribe());
                assertEquals(first, offerReceived(reader), "an offer made before the subscription");
                assertEquals(Offer.Answer.Kind.DELIVERED, answer(owner).kind());
                // a second stream offered while it is subscribed comes at once
                Announce july = announce(OTHER_ID, "holiday/july.mp4");
                owner.send(new PrivateAnnounce(july, List.of(Grant.forStream(OWNER, READER.peerId(), OTHER_ID,
                        Long.MAX_VALUE))));
                Offer second = new Offer("holiday/july.mp4", SIZE, Grant.forStream(OWNER, READER.peerId(),
                        OTHER_ID, Long.MAX_VALUE));
                owner.send(second);
                assertEquals(Offer.Answer.Kind.TAKEN, answer(owner).kind());
                assertEquals(Offer.Answer.Kind.DELIVERED, answer(owner).kind());
                assertEquals(second, offerReceived(reader));
                nothingElseCame(quiet);
            }
        }
    }

    @Test
    void anOfferOfAStreamNotHeldOrAsAnotherNameIsRefusedAloneAndAWithdrawnStreamsOfferGoes() throws Exception {
        try (RawClient owner = owner()) {
            owner.send(offer(OWNER, READER.peerId(), OTHER_ID));
            Offer.Answer refused = answer(owner);
            assertEquals(Offer.Answer.Kind.REFUSED, refused.kind());
            assertTrue(refused.reason().contains("does not hold it"), refused.reason());
            owner.send(new Offer("holiday/other-name.mp4", SIZE, Grant.forStream(OWNER, READER.peerId(), ID,
                    Long.MAX_VALUE)));
            assertTrue(answer(owner).reason().contains("as announced"));
            owner.send(new Offer(NAME, SIZE, Grant.forStream(OWNER, READER.peerId(), ID, 1)));
            assertTrue(answer(owner).reason().contains("expired"));
            owner.send(offer(OWNER, READER.peerId(), ID));
            assertEquals(Offer.Answer.Kind.TAKEN, answer(owner).kind());
            owner.send(new Withdraw(ID));
            nothingElseCame(owner);
            try (RawClient reader = session(READER, 0)) {
                reader.send(new Offer.Subscribe());
                nothingElseCame(reader); // the withdrawn stream's offer went with it
            }
        }
        // an ended session's offers go too
        try (RawClient owner = owner()) {
            owner.send(offer(OWNER, READER.peerId(), ID));
            assertEquals(Offer.Answer.Kind.TAKEN, answer(owner).kind());
        }
        awaitNoConnectionsAndNoEntries();
        try (RawClient reader = session(READER, 0)) {
            reader.send(new Offer.Subscribe());
            nothingElseCame(reader);
        }
    }

    /** Sends {@code bad} after HELLO as {@code who}; the tracker must answer {@code code} and close. */
    private void assertRefusedAndClosed(Identity who, byte[] bad, ErrorCode code, String part) throws Exception {
        try (RawClient c = session(who, 5000)) {
            c.sendBytes(bad);
            ErrorMessage e = c.expectError(code);
            assertTrue(e.message().contains(part), e.message());
            c.expectEof();
        }
    }

    @Test
    void forgedAlteredAndForeignOffersEndTheSession() throws Exception {
        byte[] good = WireBytes.encoded(offer(OWNER, READER.peerId(), ID));
        byte[] forged = good.clone();
        forged[forged.length - 1] ^= 1;
        assertRefusedAndClosed(OWNER, forged, ErrorCode.AUTHENTICATION, "does not verify");
        byte[] altered = good.clone();
        altered[altered.length - 70] ^= 1; // the content id, inside what was signed
        assertRefusedAndClosed(OWNER, altered, ErrorCode.AUTHENTICATION, "does not verify");
        // the owner's genuine offer, sent by someone else: the sender must be the grant's owner
        assertRefusedAndClosed(STRANGER, good, ErrorCode.AUTHENTICATION, "the offering peer");
        // the tracker's answers are not a peer's to send
        assertRefusedAndClosed(OWNER, WireBytes.encoded(new Offer.Answer(Offer.Answer.Kind.TAKEN, ID,
                READER.peerId(), "")), ErrorCode.UNEXPECTED, "offer kind");
        awaitNoConnectionsAndNoEntries();
        assertGoodSessionsWork();
    }

    /** {@code who}'s session announces {@code count} streams privately to {@code to} and offers each; all taken. */
    private static List<Offer> announceAndOffer(RawClient c, Identity who, PeerId to, int count, int first)
            throws IOException, ProtocolException {
        List<Offer> made = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            ContentId id = new ContentId(7, 7, who.peerId().hashCode(), i);
            c.send(new PrivateAnnounce(new Announce(id, "f" + i, SIZE, CHUNK, 4, 4),
                    List.of(Grant.forStream(who, to, id, Long.MAX_VALUE))));
            Offer o = new Offer("f" + i, SIZE, Grant.forStream(who, to, id, Long.MAX_VALUE));
            c.send(o);
            assertEquals(Offer.Answer.Kind.TAKEN, answer(c).kind(), "offer " + i);
            made.add(o);
        }
        return made;
    }

    /**
     * Subscribes a new session of {@code who} and reads what the tracker sends it (the offers waiting for it, or a
     * refusal) until a LIST round trip.
     */
    private List<Message> waitingFor(Identity who) throws IOException, ProtocolException {
        try (RawClient reader = session(who, 0)) {
            reader.send(new Offer.Subscribe());
            reader.send(new ListStreams("", 1));
            List<Message> got = new ArrayList<>();
            while (true) {
                RawClient.Frame f = reader.read();
                if (f.type() == MessageType.STREAMS.code()) {
                    return got;
                }
                assertEquals(MessageType.OFFER.code(), f.type());
                got.add(Offer.decode(f.buffer()));
            }
        }
    }

    @Test
    void oneSendersPendingOffersToAReaderAreBoundedTheOldestDropped() throws Exception {
        Identity many = Identity.generate();
        try (RawClient owner = session(OWNER, 5000)) {
            List<Offer> made = announceAndOffer(owner, OWNER, many.peerId(), Offers.MAX_PER_SENDER + 2, 0);
            assertEquals(Offers.MAX_PER_SENDER, tracker.offersPending(), "one sender fills its own share only");
            assertEquals(made.subList(2, made.size()), waitingFor(many), "its newest");
            assertEquals(List.of(), waitingFor(OWNER), "OWNER itself is no grantee: nothing for it");
        }
        awaitNoConnectionsAndNoEntries();
        await("the ended session's offers gone", () -> tracker.offersPending() == 0);
    }

    @HostileCase(value = "Offers to one reader from many ids: each announces 17 private streams to the reader and"
            + " offers them, after a legitimate sender's one offer, before the reader subscribes",
            expect = "the legitimate offer stays and reaches the reader when it subscribes; 16 kept per sender, 64 per"
                    + " reader (the sender holding the most loses its oldest); good sessions go on",
            section = HostileCase.ACCESS)
    void floodingSendersCannotPushAnotherSendersOfferOut(Trial trial) throws Exception {
        int flooders = Offers.MAX_PER_RECIPIENT / Offers.MAX_PER_SENDER + 1;
        try (RawClient owner = owner()) {
            Offer legit = offer(OWNER, READER.peerId(), ID);
            owner.send(legit);
            assertEquals(Offer.Answer.Kind.TAKEN, answer(owner).kind());
            List<RawClient> sessions = new ArrayList<>();
            try {
                for (int i = 0; i < flooders; i++) {
                    Identity flooder = Identity.generate();
                    RawClient c = session(flooder, 5000);
                    sessions.add(c);
                    announceAndOffer(c, flooder, READER.peerId(), Offers.MAX_PER_SENDER + 1, 0);
                }
                int kept = tracker.offersPending();
                trial.record("offers sent to the reader", 1 + flooders * (Offers.MAX_PER_SENDER + 1));
                trial.record("offers kept for it", kept);
                assertEquals(Offers.MAX_PER_RECIPIENT, kept);
                List<Message> got = waitingFor(READER);
                assertEquals(Offers.MAX_PER_RECIPIENT, got.size());
                assertTrue(got.contains(legit), "the legitimate sender's offer reached the reader");
                assertEquals(Offer.Answer.Kind.DELIVERED, answer(owner).kind());
            } finally {
                for (RawClient c : sessions) {
                    c.close();
                }
            }
        }
        awaitNoConnectionsAndNoEntries();
        await("the senders' offers gone", () -> tracker.offersPending() == 0);
        assertGoodSessionsWork();
    }

    @Test
    void aSeventeenthSubscriptionOfOneIdIsRefusedAndItsSessionGoesOn() throws Exception {
        List<RawClient> subscribed = new ArrayList<>();
        try (RawClient owner = owner()) {
            for (int i = 0; i < Offers.MAX_SUBSCRIBERS_PER_ID; i++) {
                RawClient c = session(READER, 0);
                subscribed.add(c);
                c.send(new Offer.Subscribe());
                nothingElseCame(c); // taken: no answer, and the SUBSCRIBE was handled before the LIST
            }
            try (RawClient extra = session(READER, 0)) {
                extra.send(new Offer.Subscribe());
                Offer.Answer refused = answer(extra);
                assertEquals(Offer.Answer.Kind.REFUSED, refused.kind());
                assertTrue(refused.refusesSubscription(), refused.toString());
                assertEquals(READER.peerId(), refused.grantee());
                assertTrue(refused.reason().contains("taking offers: " + Offers.MAX_SUBSCRIBERS_PER_ID),
                        refused.reason());
                nothingElseCame(extra); // the session goes on
                owner.send(offer(OWNER, READER.peerId(), ID));
                assertEquals(Offer.Answer.Kind.TAKEN, answer(owner).kind());
                for (RawClient c : subscribed) {
                    assertEquals(offer(OWNER, READER.peerId(), ID), offerReceived(c));
                }
                nothingElseCame(extra); // refused: it gets no offer
            }
            // one of the sixteen ends: a new session may subscribe
            subscribed.remove(0).close();
            awaitSubscribed(READER, offer(OWNER, READER.peerId(), ID));
        } finally {
            for (RawClient c : subscribed) {
                c.close();
            }
        }
    }

    /** A new session of {@code who} subscribes, within the deadline, and gets {@code expected}. */
    private void awaitSubscribed(Identity who, Offer expected) throws Exception {
        await("a session of " + who.peerId().text() + " subscribed", () -> {
            try {
                return waitingFor(who).equals(List.of(expected));
            } catch (IOException | ProtocolException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void expiredOffersAreSweptOutWhileTheirSenderStillHoldsTheStream() throws Exception {
        tracker.close();
        FakeClock clock = new FakeClock();
        tracker = Tracker.start(new Tracker.Config(new InetSocketAddress("127.0.0.1", 0), 2, 100, 3_600_000),
                clock);
        long nowMillis = clock.epochMicros() / 1000;
        try (RawClient owner = owner()) {
            owner.send(new Offer(NAME, SIZE, Grant.forStream(OWNER, READER.peerId(), ID, nowMillis + 60_000)));
            assertEquals(Offer.Answer.Kind.TAKEN, answer(owner).kind());
            assertEquals(1, tracker.offersPending());
            clock.advanceMillis(60_000 + Offers.SWEEP_INTERVAL_MILLIS);
            await("the expired offer swept out", () -> tracker.offersPending() == 0);
            nothingElseCame(owner); // its session is still there, holding the stream
            assertEquals(1, tracker.streamCount());
            assertEquals(List.of(), waitingFor(READER));
        }
    }

    @HostileCase(value = "An OFFER flood from one session: valid offers of a held stream as fast as it sends",
            expect = "RATE_LIMITED and close once the session's grant checks pass its budget (384 at once, then 64 a"
                    + " second); offers kept stay within 16 for the reader from this sender; good sessions go on",
            section = HostileCase.ACCESS)
    void anOfferFloodIsRateLimited(Trial trial) throws Exception {
        byte[] frame = WireBytes.encoded(offer(OWNER, READER.peerId(), ID));
        try (RawClient owner = owner()) {
            byte[] burst = new byte[frame.length * 2_000];
            for (int i = 0; i < 2_000; i++) {
                System.arraycopy(frame, 0, burst, i * frame.length, frame.length);
            }
            owner.sendBytes(burst);
            int answers = 0;
            while (true) {
                RawClient.Frame f = owner.read();
                if (f.type() == MessageType.ERROR.code()) {
                    ErrorMessage e = ErrorMessage.decode(f.buffer());
                    assertEquals(ErrorCode.RATE_LIMITED.code(), e.code(), e.message());
                    break;
                }
                Message m = Offer.decode(f.buffer());
                assertTrue(m instanceof Offer.Answer a && a.kind() == Offer.Answer.Kind.TAKEN, m.toString());
                answers++;
            }
            owner.expectEof();
            trial.record("offers taken before ERROR RATE_LIMITED", answers);
            assertTrue(answers <= 2_000, "answers " + answers);
        }
        awaitNoConnectionsAndNoEntries();
        await("the flooder's offers gone", () -> tracker.offersPending() == 0);
        assertGoodSessionsWork();
    }

    @Test
    void offersDecodeAsTheyWereSent() throws Exception {
        Offer o = offer(OWNER, READER.peerId(), ID);
        ByteBuffer b = ByteBuffer.allocate(o.payloadLength());
        o.encodePayload(b);
        assertEquals(o, Offer.decode(b.flip(), OWNER.peerId()));
    }
}
