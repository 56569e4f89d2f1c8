package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;

/**
 * {@code --allow ID|NAME} split into peer ids and account names, and Access replaced at run time: a private Access
 * with nobody allowed yet announces a grant to its owner only, and lets in exactly the ids given later.
 */
class AccountReadersTest {
    private static final Identity OWNER = Identity.generate();
    private static final PeerId READER = Identity.generate().peerId();
    private static final Announce FILE = new Announce(new ContentId(1, 2, 3, 4), "a.bin", 1 << 20, 1 << 18, 4, 4);

    @Test
    void idsAndNamesAreToldApartAndAnythingElseIsAUsageError() {
        AccountReaders.Allowed a = AccountReaders.split(List.of(READER.text(), "alice", "bob.b-2", "alice"));
        assertEquals(List.of(READER), a.ids());
        assertEquals(List.of("alice", "bob.b-2"), a.names());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AccountReaders.split(List.of("Alice!")));
        assertTrue(e.getMessage().startsWith("--allow: Alice! (expected: a peer id"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AccountReaders.split(List.of("a".repeat(33))));
    }

    @Test
    void nobodyAllowedYetIsAGrantToTheOwnerThenExactlyTheIdsGiven() {
        Access access = Access.allowing(OWNER, List.of());
        PrivateAnnounce alone = (PrivateAnnounce) access.announcement(FILE, 0);
        assertEquals(List.of(OWNER.peerId()), alone.grants().stream().map(g -> g.grantee()).toList());
        assertTrue(access.refusal(READER, true, "stream x").contains("may not read it"));

        access.allowOnly(List.of(READER));
        assertNull(access.refusal(READER, true, "stream x"));
        PrivateAnnounce now = (PrivateAnnounce) access.announcement(FILE, 0);
        assertEquals(List.of(READER), now.grants().stream().map(g -> g.grantee()).toList());
        assertThrows(IllegalStateException.class, () -> Access.PUBLIC.allowOnly(List.of(READER)));
    }
}
