package p2pstream.common.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import p2pstream.common.access.AccountAnswer;
import p2pstream.common.access.AccountRequest;
import p2pstream.common.access.Devices;
import p2pstream.common.access.GrantMessage;
import p2pstream.common.access.Offer;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.access.Redeem;
import java.util.Arrays;
import p2pstream.common.net.FrameDecoder;

/** Test helpers: encode a message as a frame, split it with a FrameDecoder, decode the payload. */
final class Codec {
    private Codec() {
    }

    /** Frames.encode, then FrameDecoder.next: the payload view, after checking the type byte and length. */
    static ByteBuffer payload(Message m) throws ProtocolException {
        ByteBuffer frame = Frames.encode(m);
        assertEquals(Frames.HEADER_BYTES + m.payloadLength(), frame.remaining(), m.type() + ": frame size");
        FrameDecoder decoder = new FrameDecoder(Wire.MAX_PEER_FRAME_BYTES);
        ByteBuffer payload = decoder.next(frame);
        assertNotNull(payload, m.type() + ": a whole frame must decode");
        assertEquals(m.type().code(), decoder.type(), m.type() + ": type byte");
        assertFalse(frame.hasRemaining(), m.type() + ": frame fully consumed");
        assertEquals(m.payloadLength(), payload.remaining(), m.type() + ": payload length");
        return payload;
    }

    static byte[] payloadBytes(Message m) throws ProtocolException {
        ByteBuffer p = payload(m);
        byte[] bytes = new byte[p.remaining()];
        p.get(bytes);
        return bytes;
    }

    /** Decodes a payload as {@code like}'s type (a Bitfield uses {@code like}'s chunk count). */
    static Message decode(Message like, ByteBuffer payload) throws ProtocolException {
        MessageType type = like.type();
        return switch (type) {
            case HELLO -> Hello.decode(payload);
            case WELCOME -> Welcome.decode(payload);
            case ERROR -> ErrorMessage.decode(payload);
            case PING, PONG, HAVE_ALL -> EmptyMessage.decode(type, payload);
            case HAVE, REQUEST, CANCEL -> IndexMessage.decode(type, payload);
            case REJECT -> Reject.decode(payload);
            case MANIFEST -> ManifestMessage.decode(payload);
            case BITFIELD -> Bitfield.decode(payload, ((Bitfield) like).chunkCount());
            case ANNOUNCE -> Announce.decode(payload);
            case WITHDRAW -> Withdraw.decode(payload);
            case LIST -> ListStreams.decode(payload);
            case STREAMS -> Streams.decode(payload);
            case LOOKUP -> Lookup.decode(payload);
            case PEERS -> Peers.decode(payload);
            case REACH -> Reach.decode(payload);
            case CONNECT -> ConnectPeer.decode(payload);
            case DIAL -> Dial.decode(payload);
            case RELAY -> RelayOffer.decode(payload);
            case MAPPED -> Mapped.decode(payload);
            case CIRCUIT -> CircuitOrder.decode(payload);
            case JOIN -> Join.decode(payload);
            case LIVE_END -> LiveEnd.decode(payload);
            case GRANT -> GrantMessage.decode(payload);
            case PRIVATE_ANNOUNCE -> PrivateAnnounce.decode(payload);
            case REDEEM -> Redeem.decode(payload);
            case ACCOUNT -> like instanceof AccountRequest ? AccountRequest.decode(payload)
                    : AccountAnswer.decode(payload);
            case DEVICES -> like instanceof Devices.Ask ? Devices.Ask.decode(payload) : Devices.decode(payload);
            case OFFER -> Offer.decode(payload);
            case CHUNK, LIVE_CHUNK -> throw new IllegalArgumentException(type + " has no message record");
        };
    }

    static Message decode(Message like, byte[] payload) throws ProtocolException {
        return decode(like, ByteBuffer.wrap(payload));
    }

    /** Full round trip; checks the decoder consumed the whole payload. */
    static Message roundTrip(Message m) throws ProtocolException {
        ByteBuffer payload = payload(m);
        Message decoded = decode(m, payload);
        assertFalse(payload.hasRemaining(), m.type() + ": payload fully consumed");
        return decoded;
    }

    /** Equality that compares a ManifestMessage's bytes by content. */
    static void assertSameMessage(Message expected, Message actual) {
        if (expected instanceof ManifestMessage e && actual instanceof ManifestMessage a) {
            assertEquals(Arrays.toString(e.encoded()), Arrays.toString(a.encoded()));
        } else if (expected instanceof LiveEnd e && actual instanceof LiveEnd a) {
            assertEquals(e.chunkCount(), a.chunkCount());
            assertEquals(e.endMicros(), a.endMicros());
            assertEquals(Arrays.toString(e.signature()), Arrays.toString(a.signature()));
        } else {
            assertEquals(expected, actual);
        }
    }

    /** Decoding {@code payload} as {@code like}'s type fails with {@code code}. */
    static ProtocolException assertRejected(ErrorCode code, Message like, byte[] payload) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decode(like, payload),
                () -> like.type() + " accepted " + Wire.hex(payload));
        assertEquals(code, e.code(), () -> like.type() + ": " + e.getMessage());
        return e;
    }

    static ProtocolException assertRejected(ErrorCode code, ThrowingDecode decode) {
        ProtocolException e = assertThrows(ProtocolException.class, decode::run);
        assertEquals(code, e.code(), e::getMessage);
        return e;
    }

    @FunctionalInterface
    interface ThrowingDecode {
        Object run() throws ProtocolException;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
