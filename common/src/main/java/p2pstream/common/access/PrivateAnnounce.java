package p2pstream.common.access;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * An ANNOUNCE of a private stream (PROTOCOL.md sections 3 and 10): the stream's owner sends it with one grant per
 * reader it lets in, each signed by itself; a viewer that holds the stream by a grant sends it with that one grant,
 * which names it. The tracker shows the stream only to the grants' grantees. Sent again to update {@code held} (a
 * viewer) or to renew the grants (the owner), replacing what it sent before. Thread-safe (immutable).
 *
 * <pre>PRIVATE_ANNOUNCE: &lt;len&gt;&lt;type=0x16&gt;&lt;content id:32&gt;&lt;name:str&gt;&lt;size:i64&gt;
 *                   &lt;chunk size:u32&gt;&lt;chunk count:u32&gt;&lt;held:u32&gt;
 *                   &lt;count:u16 1..256&gt;{&lt;grant&gt;}*count</pre>
 * (the fields of ANNOUNCE, then the grants; the whole frame within the 64 KiB control limit)
 */
public record PrivateAnnounce(Announce announce, List<Grant> grants) implements Message {
    /** Grants one announcement carries at most: 256 of one stream take 39 KiB, within a control frame. */
    public static final int MAX_GRANTS = 256;

    public PrivateAnnounce {
        grants = List.copyOf(grants);
        if (grants.isEmpty() || grants.size() > MAX_GRANTS) {
            throw new IllegalArgumentException("grants: " + grants.size() + " (expected: 1.." + MAX_GRANTS + ")");
        }
        int frame = 1 + announce.payloadLength() + 2 + grantBytes(grants);
        if (frame > Wire.MAX_CONTROL_FRAME_BYTES) {
            throw new IllegalArgumentException("private announce: " + frame + " bytes (expected: <= "
                    + Wire.MAX_CONTROL_FRAME_BYTES + ", one control frame)");
        }
    }

    private static int grantBytes(List<Grant> grants) {
        int n = 0;
        for (Grant g : grants) {
            n += g.encodedLength();
        }
        return n;
    }

    /** The owner all its grants name. */
    public PeerId owner() {
        return grants.get(0).owner();
    }

    @Override
    public MessageType type() {
        return MessageType.PRIVATE_ANNOUNCE;
    }

    @Override
    public int payloadLength() {
        return announce.payloadLength() + 2 + grantBytes(grants);
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        announce.encodePayload(out);
        out.putShort((short) grants.size());
        for (Grant g : grants) {
            g.encode(out);
        }
    }

    /** Reads the announcement and its grants, checking every signature (what they allow is the receiver's to check). */
    public static PrivateAnnounce decode(ByteBuffer in) throws ProtocolException {
        return decode(in, null);
    }

    /**
     * Reads the announcement of the peer {@code announcer} proved to be (null: any) and its grants, checking before
     * any signature that each names one owner and that the announcer is that owner, or is the grantee of the only
     * grant; and that each covers the stream announced.
     *
     * @throws ProtocolException MALFORMED for bad bytes or counts, AUTHENTICATION for a grant that does not verify or
     *                           is not the announcer's to show
     */
    public static PrivateAnnounce decode(ByteBuffer in, PeerId announcer) throws ProtocolException {
        Announce a = Announce.decodeFields(in);
        int count = Wire.getU16(in, "grant count");
        if (count < 1 || count > MAX_GRANTS) {
            throw ProtocolException.malformed("grant count: " + count + " (expected: 1.." + MAX_GRANTS + ")");
        }
        List<Grant> grants = new ArrayList<>(count);
        PeerId owner = null;
        for (int i = 0; i < count; i++) {
            Grant.Parties claimed = Grant.claimedParties(in);
            owner = owner == null ? claimed.owner() : owner;
            if (!owner.equals(claimed.owner())) {
                throw refused("grant " + i + " owner: " + claimed.owner().text() + " (expected: " + owner.text()
                        + ", the owner of the others)");
            }
            if (announcer != null && !announcer.equals(owner)
                    && (count != 1 || !announcer.equals(claimed.grantee()))) {
                throw refused("grant owner: " + owner.text() + " (expected: " + announcer.text()
                        + ", the announcing peer, or one grant naming it)");
            }
            Grant g = Grant.decode(in);
            String scope = g.check(g.grantee(), owner, a.contentId(), a.name(), Long.MIN_VALUE);
            if (scope != null) {
                throw refused(scope);
            }
            grants.add(g);
        }
        Wire.end(in, MessageType.PRIVATE_ANNOUNCE);
        return new PrivateAnnounce(a, grants);
    }

    private static ProtocolException refused(String message) {
        return new ProtocolException(ErrorCode.AUTHENTICATION, message);
    }
}
