package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;

/**
 * {@code --allow NAME}: an account name lets in the devices the names' resolver knows (the tracker's DEVICES answers,
 * through {@link AccountReaders}), nobody while it knows none, and the devices it learns later once told.
 */
class AccountReadersTest {
    private static final Identity OWNER = Identity.generate();
    private static final PeerId LAPTOP = Identity.generate().peerId();
    private static final PeerId PHONE = Identity.generate().peerId();
    private static final Announce FILE = new Announce(new ContentId(1, 2, 3, 4), "a.bin", 1 << 20, 1 << 18, 4, 4);

    @Test
    void anAccountNameLetsInExactlyTheDevicesKnownForIt() {
        Map<String, Set<PeerId>> known = new ConcurrentHashMap<>();
        Access access = Access.allowing(OWNER, List.of(), List.of("alice"));
        access.names(name -> known.getOrDefault(name, Set.of()));
        assertTrue(access.refusal(LAPTOP, true, "a.bin", "a.bin").contains("may not read it"), "no device known yet");
        assertNull(access.announcement(FILE, 0), "nobody may read it yet: not announced");

        known.put("alice", Set.of(LAPTOP, PHONE));
        access.namesChanged();
        assertNull(access.refusal(LAPTOP, true, "a.bin", "a.bin"));
        assertNull(access.refusal(PHONE, true, "a.bin", "a.bin"));
        PrivateAnnounce p = (PrivateAnnounce) access.announcement(FILE, 0);
        assertEquals(Set.of(LAPTOP, PHONE), Set.copyOf(p.grants().stream().map(g -> g.grantee()).toList()));
        assertTrue(access.refusal(Identity.generate().peerId(), true, "a.bin", "a.bin").contains("may not read it"));
    }
}
