package p2pstream.common.wire;

/** The codes an {@code ERROR} frame carries; docs/PROTOCOL.md lists them with their meaning. Immutable. */
public enum ErrorCode {
    MALFORMED(1),
    FRAME_TOO_LARGE(2),
    UNKNOWN_TYPE(3),
    BAD_HELLO(4),
    UNEXPECTED(5),
    NOT_FOUND(6),
    RATE_LIMITED(7),
    TOO_MANY_CONNECTIONS(8),
    TIMEOUT(9),
    BAD_NAME(10),
    OUT_OF_RANGE(11),
    INTERNAL(12),
    SHUTTING_DOWN(13),
    /** The secure transport's handshake or a record failed authentication: logged, never sent (see PROTOCOL.md). */
    AUTHENTICATION(14),
    /** A private stream this reader may not read: its id holds no grant, or the connection is in plaintext. */
    FORBIDDEN(15);

    /**
     * How a connection's close reason starts when the other side's ERROR frame ended it ({@code "peer error CODE:
     * message"}): its word, not a verdict of our own.
     */
    public static final String PEER_ERROR_REASON = "peer error ";

    private static final ErrorCode[] BY_CODE = new ErrorCode[16];

    static {
        for (ErrorCode c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The code for a wire value, or null when this version does not know it. */
    public static ErrorCode of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
