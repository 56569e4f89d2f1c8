package p2pstream.common.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * OFFER's kinds read back; an offer whose grant is another peer's is refused before its signature is checked, a
 * forged one after; a prefix grant, bytes after the grant, a bad name, a negative size and unknown kinds are refused.
 */
class OfferTest {
    private static final Identity OWNER = Identity.generate();
    private static final PeerId READER = Identity.generate().peerId();
    private static final ContentId ID = new ContentId(1, 2, 3, 4);
    private static final Offer OFFER = new Offer("holiday/june.mp4", 123_456,
            Grant.forStream(OWNER, READER, ID, Long.MAX_VALUE));

    private static byte[] payload(Message m) {
        ByteBuffer out = ByteBuffer.allocate(m.payloadLength());
        m.encodePayload(out);
        return out.array();
    }

    private static Message decode(byte[] payload, PeerId owner) throws ProtocolException {
        return Offer.decode(ByteBuffer.wrap(payload), owner);
    }

    private static void assertRefused(ErrorCode code, String part, byte[] payload, PeerId owner) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decode(payload, owner));
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void everyKindReadsBack() throws Exception {
        assertEquals(OFFER, decode(payload(OFFER), OWNER.peerId()));
        assertEquals(OFFER, decode(payload(OFFER), null));
        assertEquals(ID, OFFER.contentId());
        assertEquals(new Offer.Subscribe(), decode(payload(new Offer.Subscribe()), null));
        assertEquals(2, payload(new Offer.Subscribe()).length + 1);
        for (Offer.Answer.Kind k : Offer.Answer.Kind.values()) {
            Offer.Answer a = new Offer.Answer(k, ID, READER, k == Offer.Answer.Kind.REFUSED ? "why" : "");
            assertEquals(a, decode(payload(a), null));
        }
    }

    @Test
    void anotherPeersGrantIsRefusedAndAForgedOneDoesNotVerify() {
        assertRefused(ErrorCode.AUTHENTICATION, "the offering peer", payload(OFFER), READER);
        byte[] forged = payload(OFFER);
        forged[forged.length - 1] ^= 1;
        assertRefused(ErrorCode.AUTHENTICATION, "does not verify", forged, OWNER.peerId());
        byte[] altered = payload(OFFER);
        altered[altered.length - 80] ^= 1; // inside the signed body: the expiry or the content id
        assertRefused(ErrorCode.AUTHENTICATION, "does not verify", altered, null);
    }

    @Test
    void badFieldsAreRefused() {
        Grant prefix = Grant.forPrefix(OWNER, READER, "holiday", Long.MAX_VALUE);
        ByteBuffer p = ByteBuffer.allocate(1 + 2 + 3 + 8 + 2 + prefix.encodedLength());
        p.put((byte) 2).putShort((short) 3).put("a.b".getBytes()).putLong(1).putShort((short) prefix.encodedLength());
        prefix.encode(p);
        assertRefused(ErrorCode.MALFORMED, "a prefix's", p.array(), null);
        byte[] ok = payload(OFFER);
        byte[] longer = Arrays.copyOf(ok, ok.length + 1);
        assertRefused(ErrorCode.MALFORMED, "trailing", longer, null);
        ByteBuffer sized = ByteBuffer.wrap(payload(OFFER));
        sized.putLong(1 + 2 + OFFER.name().length(), -1);
        assertRefused(ErrorCode.MALFORMED, "offer size", sized.array(), null);
        ByteBuffer named = ByteBuffer.wrap(payload(OFFER));
        named.put(1 + 2, (byte) '/');
        assertRefused(ErrorCode.BAD_NAME, "offer name", named.array(), null);
        assertRefused(ErrorCode.MALFORMED, "offer kind: 6", new byte[] {6}, null);
        assertRefused(ErrorCode.MALFORMED, "offer kind: 0", new byte[] {0}, null);
        assertRefused(ErrorCode.MALFORMED, "trailing", new byte[] {1, 0}, null);
        ByteBuffer noGrant = ByteBuffer.allocate(1 + 2 + 3 + 8 + 2);
        noGrant.put((byte) 2).putShort((short) 3).put("a.b".getBytes()).putLong(1).putShort((short) 0);
        assertRefused(ErrorCode.MALFORMED, "grant length: 0", noGrant.array(), null);
    }
}
