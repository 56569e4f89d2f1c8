package p2pstream.common.net;

import java.nio.ByteBuffer;
import p2pstream.common.wire.ProtocolException;

/**
 * The protocol logic of one connection. Every callback runs on the connection's loop thread, so a handler
 * needs no locks for its own state.
 */
public interface ConnectionHandler {

    /** The connection is established (accepted, or an outgoing connect completed). */
    void onOpen(Connection connection);

    /**
     * One complete frame arrived. {@code payload} is a view into the read buffer, valid only during this call.
     * ERROR frames never get here: the connection closes with the peer's code and message as the reason.
     *
     * @throws ProtocolException to answer with an ERROR frame and close the connection
     */
    void onFrame(int type, ByteBuffer payload) throws ProtocolException;

    /**
     * A frame of {@code type} has begun to arrive and its payload of {@code payloadBytes} has not: return a buffer
     * with at least that many bytes remaining to have the payload put straight into it, from its position on (what
     * arrived of it so far is copied there, the rest is read from the socket into it), or null (the default) to
     * have it gathered in the connection's read buffer. {@link #onFrame} then gets that buffer, its position and
     * limit around the payload; until then the connection owns it (after a close, the handler takes it back).
     * Never asked for ERROR frames.
     */
    default ByteBuffer payloadBuffer(int type, int payloadBytes) {
        return null;
    }

    /** Pending outbound bytes fell to the low watermark after having passed the high one. */
    default void onWritable() {
    }

    /** Called exactly once when the connection closes, for any reason. */
    void onClose(String reason);
}
