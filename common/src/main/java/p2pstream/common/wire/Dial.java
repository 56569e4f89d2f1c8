package p2pstream.common.wire;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The tracker arranges a connection a viewer asked for (CONNECT), telling each side what to do and when. In a
 * REVERSAL the holder connects to the fetching viewer, which only expects it; in a PUNCH both connect to each other
 * from their listening ports after {@code delayMillis}, timed so that both connection attempts leave together and
 * each opens its own NAT for the other's (a TCP simultaneous open). Whichever way the TCP connection forms, the
 * fetcher is the secure handshake's initiator and says HELLO first, the holder serves. Thread-safe (immutable).
 *
 * <pre>DIAL: &lt;len&gt;&lt;type=0x1e&gt;&lt;mode:u8 1 reversal|2 punch&gt;&lt;side:u8 1 fetcher|2 holder&gt;
 *       &lt;content id:32&gt;&lt;other peer id:16&gt;&lt;other's address&gt;&lt;delay ms:u16&gt;</pre>
 *
 * @param other        the peer on the other end: the one to connect to or to expect
 * @param otherAddress where the other serves, as the tracker sees it
 */
public record Dial(Mode mode, boolean fetcher, ContentId contentId, PeerId other, InetSocketAddress otherAddress,
                   int delayMillis) implements Message {
    /** The longest wait a DIAL may ask for: timing a punch needs a round trip or two, never this long. */
    public static final int MAX_DELAY_MILLIS = 5_000;

    /** How the connection is made. */
    public enum Mode {
        REVERSAL(1), PUNCH(2);

        private final int code;

        Mode(int code) {
            this.code = code;
        }
    }

    public Dial {
        if (delayMillis < 0 || delayMillis > MAX_DELAY_MILLIS) {
            throw new IllegalArgumentException("delay: " + delayMillis + " ms (expected: 0.." + MAX_DELAY_MILLIS + ")");
        }
    }

    @Override
    public MessageType type() {
        return MessageType.DIAL;
    }

    @Override
    public int payloadLength() {
        return 2 + ContentId.BYTES + PeerId.BYTES + Wire.addressBytes(otherAddress) + 2;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.put((byte) mode.code).put((byte) (fetcher ? 1 : 2));
        contentId.encode(out);
        other.encode(out);
        Wire.putAddress(out, otherAddress);
        out.putShort((short) delayMillis);
    }

    public static Dial decode(ByteBuffer in) throws ProtocolException {
        int mode = Wire.getU8(in, "mode");
        if (mode != 1 && mode != 2) {
            throw ProtocolException.malformed("mode: " + mode + " (expected: 1 reversal or 2 punch)");
        }
        int side = Wire.getU8(in, "side");
        if (side != 1 && side != 2) {
            throw ProtocolException.malformed("side: " + side + " (expected: 1 fetcher or 2 holder)");
        }
        ContentId id = ContentId.decode(in);
        PeerId other = PeerId.decode(in);
        InetSocketAddress address = Wire.getAddress(in, "address");
        int delay = Wire.getU16(in, "delay");
        if (delay > MAX_DELAY_MILLIS) {
            throw ProtocolException.malformed("delay: " + delay + " ms (expected: <= " + MAX_DELAY_MILLIS + ")");
        }
        Wire.end(in, MessageType.DIAL);
        return new Dial(mode == 1 ? Mode.REVERSAL : Mode.PUNCH, side == 1, id, other, address, delay);
    }
}
