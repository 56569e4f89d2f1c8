package p2pstream.common.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/** Grants made, read back, refused when forged, and checked against reader, owner, expiry and scope. */
class GrantTest {
    private static final Identity OWNER = Identity.generate();
    private static final PeerId READER = Identity.generate().peerId();
    private static final ContentId ID = new ContentId(1, 2, 3, 4);
    private static final long NOW = 1_800_000_000_000L;

    @Test
    void aGrantReadsBackAsMadeAndLetsItsReaderReadItsStreamUntilItExpires() throws Exception {
        Grant g = Grant.forStream(OWNER, READER, ID, NOW + 60_000);
        Grant back = Grant.decode(ByteBuffer.wrap(g.bytes()));
        assertEquals(g, back);
        assertEquals(OWNER.peerId(), back.owner());
        assertEquals(READER, back.grantee());
        assertEquals(ID, back.contentId());
        assertNull(back.check(READER, OWNER.peerId(), ID, "movies/a.mkv", NOW));
        assertTrue(back.check(READER, OWNER.peerId(), ID, "movies/a.mkv", NOW + 60_000).startsWith("grant: expired"));
        assertTrue(back.check(Identity.generate().peerId(), OWNER.peerId(), ID, null, NOW)
                .startsWith("grant grantee: "));
        assertTrue(back.check(READER, Identity.generate().peerId(), ID, null, NOW).startsWith("grant owner: "));
        assertTrue(back.check(READER, OWNER.peerId(), new ContentId(9, 9, 9, 9), "x", NOW)
                .startsWith("grant scope: "));
    }

    @Test
    void aPrefixGrantCoversItsFolderAndNothingBeside() throws Exception {
        Grant g = Grant.decode(ByteBuffer.wrap(Grant.forPrefix(OWNER, READER, "club/2026", NOW + 1).bytes()));
        assertEquals("club/2026", g.prefix());
        assertNull(g.check(READER, OWNER.peerId(), ID, "club/2026/june.mp4", NOW));
        assertNull(g.check(READER, OWNER.peerId(), ID, "club/2026", NOW));
        assertFalse(g.check(READER, OWNER.peerId(), ID, "club/20267/june.mp4", NOW) == null, "a sibling folder");
        assertFalse(g.check(READER, OWNER.peerId(), ID, "club/june.mp4", NOW) == null, "the folder above");
        assertFalse(g.check(READER, OWNER.peerId(), ID, null, NOW) == null, "by content id alone");
        assertTrue(Grant.covers("", "anything/at/all"));
    }

    @Test
    void everyAlteredByteIsRefusedAndEveryTruncationIsMalformed() {
        byte[] good = Grant.forPrefix(OWNER, READER, "club", NOW).bytes();
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 1;
            ProtocolException e = assertThrows(ProtocolException.class, () -> Grant.decode(ByteBuffer.wrap(bad)),
                    "byte " + i);
            assertTrue(e.code() == ErrorCode.AUTHENTICATION || e.code() == ErrorCode.MALFORMED, e.getMessage());
        }
        for (int n = 0; n < good.length; n++) {
            ByteBuffer cut = ByteBuffer.wrap(good, 0, n);
            ProtocolException e = assertThrows(ProtocolException.class, () -> Grant.decode(cut), "length " + n);
            assertEquals(ErrorCode.MALFORMED, e.code(), e.getMessage());
        }
    }

    @Test
    void aGrantSignedByAnotherKeyForTheSameOwnerIdIsRefused() {
        // a forger who swaps in the owner's public key keeps his own signature: it does not verify
        Identity forger = Identity.generate();
        byte[] forged = Grant.forStream(forger, READER, ID, NOW).bytes();
        System.arraycopy(OWNER.publicKey(), 0, forged, 2, 32);
        ProtocolException e = assertThrows(ProtocolException.class, () -> Grant.decode(ByteBuffer.wrap(forged)));
        assertEquals(ErrorCode.AUTHENTICATION, e.code());
    }
}
