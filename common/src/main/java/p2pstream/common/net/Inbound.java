package p2pstream.common.net;

import java.nio.ByteBuffer;
import p2pstream.common.data.BufferData;
import p2pstream.common.data.Data;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.ProtocolException;

/**
 * What a connection does with the bytes it receives: by default it splits them into frames for its
 * {@link ConnectionHandler}; a connection that speaks another protocol (HTTP) gets its own parser through
 * {@link Connection#inbound}. Called on the connection's loop thread only.
 */
public interface Inbound {

    /**
     * Takes the next complete unit (a frame, a request head) from {@code in}, in read mode, and acts on it.
     *
     * @return true when a unit was taken; false, consuming nothing, while {@code in} holds no complete unit
     * @throws ProtocolException to answer with an ERROR frame and close the connection
     */
    boolean next(ByteBuffer in) throws ProtocolException;

    /**
     * Bytes the next unit occupies, or -1 while that is not known yet: the read buffer doubles towards it as its
     * bytes arrive, never on an announced length alone. A protocol whose units carry no length answers its
     * largest unit, and throws once that many bytes hold no complete one.
     *
     * @throws ProtocolException when the next unit is too large to take
     */
    int nextUnitBytes(ByteBuffer in) throws ProtocolException;

    /**
     * What the peer is sent before the connection closes for {@code e} (a timeout, a broken rule): an ERROR frame
     * by default; another protocol says it in its own terms, or answers null to close without a word.
     */
    default Data failureNotice(ProtocolException e) {
        return BufferData.of(Frames.encode(ErrorMessage.of(e)));
    }
}
