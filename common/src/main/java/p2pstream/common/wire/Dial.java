package p2pstream.common.wire;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The tracker arranges a connection a viewer asked for (CONNECT), telling each side what to do and when. In a
 * REVERSAL the holder connects to the fetching viewer, which only expects it; in a PUNCH both connect to each other
 * from their listening ports after {@code delayMillis}, timed so that both connection attempts leave together and
 * each opens its own NAT for the other's (a TCP simultaneous open). Whichever way the TCP connection forms, the
 * fetcher is the secure handshake's initiator and says HELLO first, the holder serves. In a RELAY both connect to
 * a relay, say JOIN with the circuit's token, and the relay carries the bytes between them: the secure handshake
 * runs end to end through it. Thread-safe (immutable).
 *
 * <pre>DIAL: &lt;len&gt;&lt;type=0x1e&gt;&lt;mode:u8 1 reversal|2 punch|3 relay&gt;&lt;side:u8 1 fetcher|2 holder&gt;
 *       &lt;content id:32&gt;&lt;other peer id:16&gt;&lt;address&gt;&lt;delay ms:u16&gt;
 *       [&lt;token:16&gt; when relay]</pre>
 *
 * @param other        the peer on the other end: the one to connect to, to expect, or to meet at the relay
 * @param otherAddress where the other serves, as the tracker sees it; for a relay, where the relay takes circuits
 * @param token        the circuit's token (relay only; else null)
 */
public record Dial(Mode mode, boolean fetcher, ContentId contentId, PeerId other, InetSocketAddress otherAddress,
                   int delayMillis, Token token) implements Message {
    /** The longest wait a DIAL may ask for: timing a punch needs a round trip or two, never this long. */
    public static final int MAX_DELAY_MILLIS = 5_000;

    /** How the connection is made. */
    public enum Mode {
        REVERSAL(1), PUNCH(2), RELAY(3);

        private final int code;

        Mode(int code) {
            this.code = code;
        }
    }

    public Dial {
        if (delayMillis < 0 || delayMillis > MAX_DELAY_MILLIS) {
            throw new IllegalArgumentException("delay: " + delayMillis + " ms (expected: 0.." + MAX_DELAY_MILLIS + ")");
        }
        if (!Wire.isUnicast(otherAddress.getAddress()) || otherAddress.getPort() == 0) {
            throw new IllegalArgumentException("address: " + otherAddress + " (expected: a unicast address and a"
                    + " port)");
        }
        if ((mode == Mode.RELAY) != (token != null)) {
            throw new IllegalArgumentException("token: " + token + " for " + mode + " (expected: one for RELAY only)");
        }
    }

    /** A reversal or punch, which need no token. */
    public Dial(Mode mode, boolean fetcher, ContentId contentId, PeerId other, InetSocketAddress otherAddress,
                int delayMillis) {
        this(mode, fetcher, contentId, other, otherAddress, delayMillis, null);
    }

    @Override
    public MessageType type() {
        return MessageType.DIAL;
    }

    @Override
    public int payloadLength() {
        return 2 + ContentId.BYTES + PeerId.BYTES + Wire.addressBytes(otherAddress) + 2
                + (token == null ? 0 : Token.BYTES);
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.put((byte) mode.code).put((byte) (fetcher ? 1 : 2));
        contentId.encode(out);
        other.encode(out);
        Wire.putAddress(out, otherAddress);
        out.putShort((short) delayMillis);
        if (token != null) {
            token.encode(out);
        }
    }

    public static Dial decode(ByteBuffer in) throws ProtocolException {
        int mode = Wire.getU8(in, "mode");
        if (mode < 1 || mode > 3) {
            throw ProtocolException.malformed("mode: " + mode + " (expected: 1 reversal, 2 punch or 3 relay)");
        }
        int side = Wire.getU8(in, "side");
        if (side != 1 && side != 2) {
            throw ProtocolException.malformed("side: " + side + " (expected: 1 fetcher or 2 holder)");
        }
        ContentId id = ContentId.decode(in);
        PeerId other = PeerId.decode(in);
        InetSocketAddress address = Wire.getDialAddress(in, "address");
        int delay = Wire.getU16(in, "delay");
        if (delay > MAX_DELAY_MILLIS) {
            throw ProtocolException.malformed("delay: " + delay + " ms (expected: <= " + MAX_DELAY_MILLIS + ")");
        }
        Token token = mode == 3 ? Token.decode(in) : null;
        Wire.end(in, MessageType.DIAL);
        return new Dial(Mode.values()[mode - 1], side == 1, id, other, address, delay, token);
    }
}
