package p2pstream.common.noise;

import java.nio.ByteBuffer;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ProtocolException;

/**
 * The unit of the secure transport on the socket: every handshake message and every record is a Noise message
 * behind a big-endian uint16 length, so a message is at most 65535 bytes (the Noise limit). Records carry at most
 * {@link #MAX_PLAINTEXT_BYTES} of the frame stream each (see PROTOCOL.md for the measurement behind it). Stateless.
 *
 * <pre>
 * unit:   &lt;length:u16&gt;&lt;noise message: length bytes&gt;
 * record: &lt;length:u16&gt;&lt;ciphertext: length - 16&gt;&lt;tag:16&gt;
 * </pre>
 */
public final class Records {
    public static final int LENGTH_BYTES = 2;
    public static final int TAG_BYTES = NoiseCipher.TAG_BYTES;
    /** Frame-stream bytes per record. */
    public static final int MAX_PLAINTEXT_BYTES = 16 * 1024;
    /** The largest record body: plaintext and tag. */
    public static final int MAX_RECORD_BYTES = MAX_PLAINTEXT_BYTES + TAG_BYTES;
    /** A whole record on the wire. */
    public static final int MAX_WIRE_BYTES = LENGTH_BYTES + MAX_RECORD_BYTES;
    /** The largest handshake message: XX's second, with the identity payload, is 194 bytes; room to grow. */
    public static final int MAX_HANDSHAKE_BYTES = 1024;

    private Records() {
    }

    /**
     * The next whole unit's body in {@code in} (position to limit) as a slice, {@code in} moved past it; null,
     * and {@code in} unmoved, when it has not all arrived.
     *
     * @param least the fewest body bytes a valid unit has here; {@code most} the most
     * @param number the unit's number, named in the error after {@code what}; negative for none (the error text is
     *               built only on error, as this runs once per record)
     * @throws ProtocolException at once when the length field is out of bounds, before the body arrives
     */
    static ByteBuffer next(ByteBuffer in, int least, int most, String what, long number) throws ProtocolException {
        if (in.remaining() < LENGTH_BYTES) {
            return null;
        }
        int length = in.getShort(in.position()) & 0xffff;
        if (length < least || length > most) {
            throw new ProtocolException(length > most ? ErrorCode.FRAME_TOO_LARGE : ErrorCode.MALFORMED,
                    what + (number < 0 ? "" : " " + number) + " length: " + length
                            + " (expected: " + least + ".." + most + ")");
        }
        if (in.remaining() < LENGTH_BYTES + length) {
            return null;
        }
        ByteBuffer body = in.slice(in.position() + LENGTH_BYTES, length);
        in.position(in.position() + LENGTH_BYTES + length);
        return body;
    }
}
