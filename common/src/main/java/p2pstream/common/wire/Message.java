package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * One protocol message: knows its type and encodes its payload (the bytes after the type byte). Each
 * message type is a small immutable record with its own {@code decode(ByteBuffer)}. Thread-safe (immutable).
 */
public interface Message {

    MessageType type();

    /** Exact number of payload bytes {@link #encodePayload} writes. */
    int payloadLength();

    void encodePayload(ByteBuffer out);
}
