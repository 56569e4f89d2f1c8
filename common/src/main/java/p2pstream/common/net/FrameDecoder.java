package p2pstream.common.net;

import java.nio.ByteBuffer;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * Splits a byte buffer into frames {@code <length:u32><type:u8><payload:length-1>} without copying: each
 * payload is handed out as a reused view of the buffer. A length outside 1..max is rejected as soon as its
 * four bytes arrive. One decoder per connection; loop thread only.
 */
public final class FrameDecoder {
    private int maxFrameBytes;
    private ByteBuffer source;
    private ByteBuffer view;
    private int type;

    public FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    public void maxFrameBytes(int bytes) {
        this.maxFrameBytes = bytes;
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /**
     * Takes the next complete frame from {@code in} (read mode) and returns a view of its payload; {@link #type()}
     * gives its type. Returns null and consumes nothing when {@code in} holds no complete frame.
     */
    public ByteBuffer next(ByteBuffer in) throws ProtocolException {
        int length = peekLength(in);
        if (length < 0 || in.remaining() < Wire.LENGTH_FIELD_BYTES + length) {
            return null;
        }
        int start = in.position() + Wire.LENGTH_FIELD_BYTES;
        type = in.get(start) & 0xff;
        if (source != in) {
            source = in;
            view = in.duplicate();
        }
        view.limit(start + length).position(start + 1);
        in.position(start + length);
        return view;
    }

    /** The type byte of the frame {@link #next} returned last. */
    public int type() {
        return type;
    }

    /**
     * Bytes the next frame occupies (prefix included), or -1 while its length prefix is incomplete.
     *
     * @throws ProtocolException when the announced length is outside 1..max
     */
    public int frameBytes(ByteBuffer in) throws ProtocolException {
        int length = peekLength(in);
        return length < 0 ? -1 : Wire.LENGTH_FIELD_BYTES + length;
    }

    private int peekLength(ByteBuffer in) throws ProtocolException {
        if (in.remaining() < Wire.LENGTH_FIELD_BYTES) {
            return -1;
        }
        long length = in.getInt(in.position()) & 0xffffffffL;
        if (length < 1) {
            throw ProtocolException.malformed("frame length: 0 (expected: >= 1)");
        }
        if (length > maxFrameBytes) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE,
                    "frame length: " + length + " (expected: <= " + maxFrameBytes + ")");
        }
        return (int) length;
    }
}
