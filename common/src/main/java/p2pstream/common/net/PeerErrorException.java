package p2pstream.common.net;

import java.io.IOException;

/**
 * A transport read the other side's ERROR frame where it expected its own bytes (a listener refusing before the
 * handshake); the message starts "peer error CODE: ", as for an ERROR frame read by the connection. Loop thread.
 */
final class PeerErrorException extends IOException {
    private static final long serialVersionUID = 1L;

    PeerErrorException(String message) {
        super(message);
    }
}
