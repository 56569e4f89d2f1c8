package p2pstream.common.net;

import java.nio.ByteBuffer;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;

/**
 * The inbound side of a frame connection: splits received bytes into frames ({@link FrameDecoder}), bounds their
 * rate ({@link FrameRateLimit}), closes the connection on the peer's ERROR and hands every other frame to the
 * handler. Loop thread only.
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
            return false;
        }
        rate.onFrame(connection.lastActivityNanos); // the time of the read that brought it: no clock call a frame
        if (decoder.type() == MessageType.ERROR.code()) {
            // the peer is leaving and says why: no handler needs more, and nobody answers an ERROR
            ErrorMessage e = ErrorMessage.decode(payload);
            connection.close("peer error " + e.codeName() + ": " + e.message());
            return true;
        }
        handler.onFrame(decoder.type(), payload);
        return true;
    }

    @Override
    public int nextUnitBytes(ByteBuffer in) throws ProtocolException {
        return decoder.frameBytes(in);
    }
}
