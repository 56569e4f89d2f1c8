package p2pstream.common.access;

import java.nio.ByteBuffer;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * A private stream's owner offers it to one reader through the tracker (PROTOCOL.md section 10, "Sending to one
 * reader"): the reader's grant for the stream, signed by the owner, with the stream's name and size. The tracker
 * keeps it while the owner's session holds the stream and hands it to every session of the grantee that
 * {@link Subscribe subscribed}; the grant proves the sender to the reader. The tracker tells the sender what became
 * of it with an {@link Answer}. Thread-safe (immutable).
 *
 * <pre>OFFER: &lt;len&gt;&lt;type=0x19&gt;&lt;kind:u8&gt; then, by kind:
 *   1 SUBSCRIBE (peer -&gt; tracker): nothing more                                  (len 2)
 *   2 OFFER (sender -&gt; tracker -&gt; reader): &lt;name:name&gt;&lt;size:i64 &gt;= 0&gt;
 *        &lt;grant length:u16 1..1148&gt;&lt;grant: one content id's&gt;
 *   3 TAKEN, 4 DELIVERED, 5 REFUSED (tracker -&gt; sender): &lt;content id:32&gt;&lt;grantee:16&gt;
 *        &lt;reason:str, 0..1024 bytes&gt;
 *   5 REFUSED (tracker -&gt; subscriber), a SUBSCRIBE refused: content id all zeros, grantee the subscriber</pre>
 */
public record Offer(String name, long size, Grant grant) implements Message {
    static final int SUBSCRIBE = 1;
    static final int OFFER = 2;
    /** The longest reason a refusal carries. */
    public static final int MAX_REASON_BYTES = 1024;
    /** The content id of a REFUSED that answers a SUBSCRIBE, not an offer: no stream's (SHA-256 never gives it). */
    public static final ContentId NO_STREAM = new ContentId(0, 0, 0, 0);

    public Offer {
        if (Wire.nameProblem(name) != null || size < 0 || grant.contentId() == null) {
            throw new IllegalArgumentException("offer: " + name + ", " + size + " bytes, " + grant
                    + " (expected: a stream name, a size >= 0 and a grant of one content id)");
        }
    }

    /** The stream offered: the content id its grant is for. */
    public ContentId contentId() {
        return grant.contentId();
    }

    /** A session says it takes offers made to its id, now and from now on until it ends. */
    public record Subscribe() implements Message {
        @Override
        public MessageType type() {
            return MessageType.OFFER;
        }

        @Override
        public int payloadLength() {
            return 1;
        }

        @Override
        public void encodePayload(ByteBuffer out) {
            out.put((byte) SUBSCRIBE);
        }
    }

    /** What the tracker did with an offer of {@code contentId} to {@code grantee}. */
    public record Answer(Kind kind, ContentId contentId, PeerId grantee, String reason) implements Message {
        /** Taken: kept and handed to the grantee's subscribed sessions; delivered: handed to one; refused. */
        public enum Kind { TAKEN, DELIVERED, REFUSED }

        public Answer {
            if (Wire.stringBytes(reason) - 2 > MAX_REASON_BYTES) {
                reason = reason.substring(0, MAX_REASON_BYTES / 4);
            }
        }

        /** The tracker refuses the SUBSCRIBE of a session of {@code subscriber}, for {@code reason}. */
        public static Answer subscriptionRefused(PeerId subscriber, String reason) {
            return new Answer(Kind.REFUSED, NO_STREAM, subscriber, reason);
        }

        /** Whether this answers a SUBSCRIBE (refused) rather than an offer. */
        public boolean refusesSubscription() {
            return kind == Kind.REFUSED && contentId.equals(NO_STREAM);
        }

        @Override
        public MessageType type() {
            return MessageType.OFFER;
        }

        @Override
        public int payloadLength() {
            return 1 + ContentId.BYTES + PeerId.BYTES + Wire.stringBytes(reason);
        }

        @Override
        public void encodePayload(ByteBuffer out) {
            out.put((byte) (kind.ordinal() + 3));
            contentId.encode(out);
            grantee.encode(out);
            Wire.putString(out, reason);
        }
    }

    @Override
    public MessageType type() {
        return MessageType.OFFER;
    }

    @Override
    public int payloadLength() {
        return 1 + Wire.stringBytes(name) + 8 + 2 + grant.encodedLength();
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.put((byte) OFFER);
        Wire.putString(out, name);
        out.putLong(size).putShort((short) grant.encodedLength());
        grant.encode(out);
    }

    /** Any kind, each grant's signature checked (a receiver then checks who it names): tests and fuzzing. */
    public static Message decode(ByteBuffer in) throws ProtocolException {
        return decode(in, null);
    }

    /**
     * Any kind; an offer's grant must be owned by {@code owner} (null: anyone), checked before its signature.
     *
     * @throws ProtocolException MALFORMED or BAD_NAME for bad bytes, AUTHENTICATION for a grant that does not
     *                           verify or is not {@code owner}'s
     */
    public static Message decode(ByteBuffer in, PeerId owner) throws ProtocolException {
        int kind = Wire.getU8(in, "offer kind");
        Message m = switch (kind) {
            case SUBSCRIBE -> new Subscribe();
            case OFFER -> offer(in, owner);
            case 3, 4, 5 -> new Answer(Answer.Kind.values()[kind - 3], ContentId.decode(in), PeerId.decode(in),
                    Wire.getString(in, "offer reason", MAX_REASON_BYTES));
            default -> throw ProtocolException.malformed("offer kind: " + kind + " (expected: 1..5)");
        };
        Wire.end(in, MessageType.OFFER);
        return m;
    }

    private static Offer offer(ByteBuffer in, PeerId owner) throws ProtocolException {
        String name = Wire.getName(in, "offer name");
        long size = Wire.getI64(in, "offer size");
        if (size < 0) {
            throw ProtocolException.malformed("offer size: " + size + " (expected: >= 0, a file)");
        }
        int length = Wire.getU16(in, "offer grant length");
        if (length < 1 || length > Grant.MAX_BYTES) {
            throw ProtocolException.malformed("offer grant length: " + length + " (expected: 1.." + Grant.MAX_BYTES
                    + ")");
        }
        Wire.need(in, length, "offer grant");
        ByteBuffer bytes = in.slice(in.position(), length);
        in.position(in.position() + length);
        if (owner != null) {
            PeerId claimed = Grant.claimedParties(bytes).owner();
            if (!claimed.equals(owner)) {
                throw new ProtocolException(ErrorCode.AUTHENTICATION, "offer grant owner: " + claimed.text()
                        + " (expected: " + owner.text() + ", the offering peer)");
            }
        }
        Grant g = Grant.decode(bytes);
        if (bytes.hasRemaining() || g.contentId() == null) {
            throw ProtocolException.malformed("offer grant: " + (g.contentId() == null ? "a prefix's"
                    : bytes.remaining() + " bytes after it") + " (expected: one content id's grant, exactly its"
                    + " length)");
        }
        return new Offer(name, size, g);
    }
}
