package p2pstream.common.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * PRIVATE_ANNOUNCE read back, and refused before any signature is trusted when its grants are not the announcer's to
 * show: another owner's, mixed owners, a grant naming someone else, a grant for another stream, a forged signature,
 * and counts out of bounds.
 */
class PrivateAnnounceTest {
    private static final Identity OWNER = Identity.generate();
    private static final Identity VIEWER = Identity.generate();
    private static final ContentId ID = new ContentId(1, 2, 3, 4);
    private static final Announce A = new Announce(ID, "club/june.mp4", 100_000, Wire.MIN_CHUNK_BYTES, 7, 7);

    private static byte[] payload(PrivateAnnounce p) {
        ByteBuffer out = ByteBuffer.allocate(p.payloadLength());
        p.encodePayload(out);
        return out.array();
    }

    private static PrivateAnnounce decode(byte[] payload, PeerId announcer) throws ProtocolException {
        return PrivateAnnounce.decode(ByteBuffer.wrap(payload), announcer);
    }

    private static Grant grant(Identity owner, PeerId grantee) {
        return Grant.forStream(owner, grantee, ID, Long.MAX_VALUE);
    }

    private static void assertRefused(ErrorCode code, String part, byte[] payload, PeerId announcer) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decode(payload, announcer));
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void theOwnersGrantsAndAViewersOwnGrantReadBack() throws Exception {
        List<Grant> grants = List.of(grant(OWNER, VIEWER.peerId()), grant(OWNER, Identity.generate().peerId()),
                Grant.forPrefix(OWNER, Identity.generate().peerId(), "club", Long.MAX_VALUE));
        PrivateAnnounce owners = new PrivateAnnounce(A, grants);
        assertEquals(owners, decode(payload(owners), OWNER.peerId()));
        PrivateAnnounce viewers = new PrivateAnnounce(A, List.of(grant(OWNER, VIEWER.peerId())));
        assertEquals(viewers, decode(payload(viewers), VIEWER.peerId()));
    }

    @Test
    void grantsThatAreNotTheAnnouncersToShowAreRefused() {
        PeerId stranger = Identity.generate().peerId();
        // another owner's grants, naming someone else
        assertRefused(ErrorCode.AUTHENTICATION, "the announcing peer", payload(new PrivateAnnounce(A,
                List.of(grant(OWNER, VIEWER.peerId())))), stranger);
        // a viewer may show only its own one grant, not a list
        assertRefused(ErrorCode.AUTHENTICATION, "the announcing peer", payload(new PrivateAnnounce(A,
                List.of(grant(OWNER, VIEWER.peerId()), grant(OWNER, stranger)))), VIEWER.peerId());
        // one list, one owner
        Identity other = Identity.generate();
        assertRefused(ErrorCode.AUTHENTICATION, "the owner of the others", payload(new PrivateAnnounce(A,
                List.of(grant(OWNER, VIEWER.peerId()), grant(other, VIEWER.peerId())))), OWNER.peerId());
        // a grant for another stream, or a folder the name is not in
        assertRefused(ErrorCode.AUTHENTICATION, "grant scope", payload(new PrivateAnnounce(A, List.of(
                Grant.forStream(OWNER, VIEWER.peerId(), new ContentId(9, 9, 9, 9), Long.MAX_VALUE)))), OWNER.peerId());
        assertRefused(ErrorCode.AUTHENTICATION, "grant scope", payload(new PrivateAnnounce(A, List.of(
                Grant.forPrefix(OWNER, VIEWER.peerId(), "clubs", Long.MAX_VALUE)))), OWNER.peerId());
    }

    @Test
    void aForgedSignatureIsRefused() {
        byte[] p = payload(new PrivateAnnounce(A, List.of(grant(OWNER, VIEWER.peerId()))));
        p[p.length - 1] ^= 1;
        assertRefused(ErrorCode.AUTHENTICATION, "does not verify", p, OWNER.peerId());
        assertRefused(ErrorCode.AUTHENTICATION, "does not verify", p, null);
    }

    @Test
    void grantCountsOutOfBoundsAreMalformedAndTooManyCannotBeMade() {
        ByteBuffer none = ByteBuffer.allocate(A.payloadLength() + 2);
        A.encodePayload(none);
        assertRefused(ErrorCode.MALFORMED, "grant count: 0", none.putShort((short) 0).array(), OWNER.peerId());
        byte[] one = payload(new PrivateAnnounce(A, List.of(grant(OWNER, VIEWER.peerId()))));
        ByteBuffer many = ByteBuffer.wrap(one.clone());
        many.putShort(A.payloadLength(), (short) (PrivateAnnounce.MAX_GRANTS + 1));
        assertRefused(ErrorCode.MALFORMED, "grant count: 257", many.array(), OWNER.peerId());
        List<Grant> tooMany = new ArrayList<>();
        Grant g = grant(OWNER, VIEWER.peerId());
        for (int i = 0; i <= PrivateAnnounce.MAX_GRANTS; i++) {
            tooMany.add(g);
        }
        assertThrows(IllegalArgumentException.class, () -> new PrivateAnnounce(A, tooMany));
    }
}
