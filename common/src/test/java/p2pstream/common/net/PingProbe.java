package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.SocketException;
import java.util.Set;
import p2pstream.common.net.RawClient.Frame;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;

/**
 * Finds out whether a server takes a doubtful frame, for fuzz tests: the frame goes out with a PING behind it,
 * and the PONG (taken) or an ERROR then a close (refused) is the verdict; a silent close fails the test.
 */
public final class PingProbe {
    private PingProbe() {
    }

    /** Checks a frame the server sent in answer to a frame it took. */
    public interface AnswerCheck {
        void check(Frame answer) throws ProtocolException;
    }

    /**
     * Sends {@code frame} and a PING in one write and reads on: returns true when the PONG arrives (the frame
     * was taken; {@code answers} checks every frame before it), false when an ERROR with one of {@code codes}
     * arrives and the server closes with nothing after it.
     */
    public static boolean takes(RawClient c, byte[] frame, Set<ErrorCode> codes, String what, AnswerCheck answers)
            throws IOException, ProtocolException {
        c.sendBytes(WireBytes.concat(frame, WireBytes.encoded(EmptyMessage.PING)));
        while (true) {
            Frame f;
            try {
                f = c.readOrEof();
            } catch (SocketException reset) {
                throw new AssertionError(what + ": connection reset without an ERROR", reset);
            }
            if (f == null) {
                fail(what + ": closed without an ERROR");
            }
            if (f.type() == MessageType.PONG.code()) {
                return true;
            }
            if (f.type() == MessageType.ERROR.code()) {
                ErrorMessage e = ErrorMessage.decode(f.buffer());
                assertTrue(codes.contains(ErrorCode.of(e.code())),
                        what + ": ERROR " + e.codeName() + " " + e.message());
                assertTrue(c.readUntilClosed(true).frames().isEmpty(), what + ": frames after ERROR");
                return false;
            }
            answers.check(f);
        }
    }
}
