package p2pstream.common.wire;

/**
 * A peer broke the protocol: the frame or field is malformed, oversized, out of range or out of order. The
 * connection answers with an {@code ERROR} frame carrying {@link #code()} and closes. Thread-safe (immutable).
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message, null, false, false); // no stack trace: a peer's bad input is routine, not a bug
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** Shorthand for a malformed field. */
    public static ProtocolException malformed(String message) {
        return new ProtocolException(ErrorCode.MALFORMED, message);
    }
}
