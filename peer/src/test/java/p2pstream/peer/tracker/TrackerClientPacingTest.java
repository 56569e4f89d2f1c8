package p2pstream.peer.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.access.Grant;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Clock;
import p2pstream.common.net.EventLoop;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Role;
import p2pstream.tracker.Tracker;

/**
 * A private announcement waiting for the grant budget is never sent after what replaced it: a withdrawal drops it
 * (else the stream, and the grants of readers taken off, came back), and a newer announcement takes its place.
 */
@Timeout(60)
class TrackerClientPacingTest {
    private static final Identity OWNER = Identity.generate();
    private static final ContentId ID = ContentId.of(new byte[32]);
    private static final Announce JUNE = new Announce(ID, "june.mp4", 1 << 20, 1 << 18, 4, 4);

    private static PrivateAnnounce withGrants(int count, PeerId first) {
        List<Grant> grants = new ArrayList<>();
        grants.add(Grant.forStream(OWNER, first, ID, Long.MAX_VALUE));
        for (int i = 1; i < count; i++) {
            grants.add(Grant.forStream(OWNER, PeerId.random(), ID, Long.MAX_VALUE));
        }
        return new PrivateAnnounce(JUNE, grants);
    }

    private static TrackerClient client(EventLoop loop, Tracker tracker, Identity who) throws Exception {
        TrackerClient c = new TrackerClient(loop, tracker.address(),
                new Security(StaticKey.of(who), TrackerTrust.any()), Role.SERVER, 5000, false);
        c.start();
        c.synced().get(10, TimeUnit.SECONDS); // welcomed
        return c;
    }

    @Test
    void aWithdrawalDropsTheAnnouncementStillWaitingForTheGrantBudget() throws Exception {
        EventLoop loop = new EventLoop("pacing-test", Clock.SYSTEM).start();
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback())) {
            TrackerClient owner = client(loop, tracker, OWNER);
            owner.announce(withGrants(PrivateAnnounce.MAX_GRANTS, PeerId.random())); // the whole burst: sent
            owner.announce(withGrants(PrivateAnnounce.MAX_GRANTS, PeerId.random())); // waits about 5 s
            owner.withdraw(ID);
            owner.synced().get(20, TimeUnit.SECONDS); // after the paced queue is done
            assertFalse(owner.lookup(Lookup.byContentId(ID, 10)).get(10, TimeUnit.SECONDS).found(),
                    "withdrawn: the waiting announcement was not sent after the withdrawal");
            owner.close();
        } finally {
            loop.close();
        }
    }

    @Test
    void aNewerAnnouncementTakesTheWaitingOnesPlace() throws Exception {
        Identity kept = Identity.generate();
        Identity dropped = Identity.generate();
        EventLoop loop = new EventLoop("pacing-test", Clock.SYSTEM).start();
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback())) {
            TrackerClient owner = client(loop, tracker, OWNER);
            owner.announce(withGrants(PrivateAnnounce.MAX_GRANTS, PeerId.random()));
            owner.announce(withGrants(PrivateAnnounce.MAX_GRANTS, dropped.peerId())); // waits for the budget
            owner.announce(withGrants(1, kept.peerId())); // replaces it in the queue
            owner.synced().get(20, TimeUnit.SECONDS);
            TrackerClient reader = client(loop, tracker, kept);
            Peers found = reader.lookup(Lookup.byContentId(ID, 10)).get(10, TimeUnit.SECONDS);
            assertTrue(found.found(), "the latest announcement's grantee finds it");
            TrackerClient other = client(loop, tracker, dropped);
            assertFalse(other.lookup(Lookup.byContentId(ID, 10)).get(10, TimeUnit.SECONDS).found(),
                    "the replaced announcement's grantee does not");
            assertEquals(1, found.peers().size());
            owner.close();
            reader.close();
            other.close();
        } finally {
            loop.close();
        }
    }
}
