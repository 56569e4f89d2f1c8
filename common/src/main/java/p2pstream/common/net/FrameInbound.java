package p2pstream.common.net;

import java.nio.ByteBuffer;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * The inbound side of a frame connection: splits received bytes into frames ({@link FrameDecoder}), bounds their
 * rate ({@link FrameRateLimit}), closes the connection on the peer's ERROR and hands every other frame to the
 * handler; a payload the handler has a buffer for ({@link ConnectionHandler#payloadBuffer}) is read into it, not
 * gathered here. Loop thread only.
 */
final class FrameInbound implements Inbound {
    private final Connection connection;
    private final ConnectionHandler handler;
    private final FrameDecoder decoder;
    private final FrameRateLimit rate;

    FrameInbound(Connection connection, ConnectionHandler handler, Limits limits, long nowNanos) {
        this.connection = connection;
        this.handler = handler;
        this.decoder = new FrameDecoder(limits.maxFrameBytes());
        this.rate = new FrameRateLimit(limits.maxFramesPerSecond(), nowNanos);
    }

    void maxFrameBytes(int bytes) {
        decoder.maxFrameBytes(bytes);
    }

    @Override
    public boolean next(ByteBuffer in) throws ProtocolException {
        ByteBuffer payload = decoder.next(in);
        if (payload == null) {
            intoHandlerBuffer(in);
            return false;
        }
        rate.onFrame(connection.lastActivityNanos); // the time of the read that brought it: no clock call a frame
        if (decoder.type() == MessageType.ERROR.code()) {
            // the peer is leaving and says why: no handler needs more, and nobody answers an ERROR
            ErrorMessage e = ErrorMessage.decode(payload);
            connection.close(ErrorCode.PEER_ERROR_REASON + e.codeName() + ": " + e.message());
            return true;
        }
        handler.onFrame(decoder.type(), payload);
        return true;
    }

    /** A payload read into the handler's buffer has arrived in full: {@code payload} is around it. */
    void onPayload(int type, ByteBuffer payload) throws ProtocolException {
        rate.onFrame(connection.lastActivityNanos);
        handler.onFrame(type, payload);
    }

    /**
     * The next frame has not fully arrived: when its handler has a buffer for its payload, what is here of it moves
     * there (leaving {@code in} empty) and the connection reads the rest straight into it.
     */
    private void intoHandlerBuffer(ByteBuffer in) throws ProtocolException {
        int frameBytes = decoder.frameBytes(in);
        if (frameBytes < 0 || in.remaining() < Frames.HEADER_BYTES) {
            connection.gathering(0); // its type is not here yet
            return;
        }
        connection.gathering(frameBytes);
        int type = in.get(in.position() + Wire.LENGTH_FIELD_BYTES) & 0xff;
        if (type == MessageType.ERROR.code()) {
            return;
        }
        int payloadBytes = frameBytes - Frames.HEADER_BYTES;
        ByteBuffer into = handler.payloadBuffer(type, payloadBytes);
        if (into == null) {
            return;
        }
        if (into.remaining() < payloadBytes) {
            throw new IllegalStateException("payload buffer: " + into.remaining() + " bytes (expected: >= "
                    + payloadBytes + ")");
        }
        int start = into.position();
        into.limit(start + payloadBytes);
        in.position(in.position() + Frames.HEADER_BYTES);
        into.put(in); // less than the payload: the frame is incomplete
        connection.readPayload(type, into, start);
    }

    @Override
    public int nextUnitBytes(ByteBuffer in) throws ProtocolException {
        return decoder.frameBytes(in);
    }
}
