package p2pstream.common.wire;

/**
 * The type byte of every frame. 0x0_ are common to all connections, 0x1_ are tracker messages, 0x2_ are
 * peer messages. Immutable.
 */
public enum MessageType {
    HELLO(0x01),
    WELCOME(0x02),
    ERROR(0x03),
    PING(0x04),
    PONG(0x05),
    ANNOUNCE(0x10),
    WITHDRAW(0x11),
    LIST(0x12),
    STREAMS(0x13),
    LOOKUP(0x14),
    PEERS(0x15),
    PRIVATE_ANNOUNCE(0x16),
    ACCOUNT(0x17),
    DEVICES(0x18),
    OFFER(0x19),
    MAPPED(0x1a),
    CIRCUIT(0x1b),
    REACH(0x1c),
    CONNECT(0x1d),
    DIAL(0x1e),
    RELAY(0x1f),
    MANIFEST(0x20),
    HAVE_ALL(0x21),
    BITFIELD(0x22),
    HAVE(0x23),
    REQUEST(0x24),
    CANCEL(0x25),
    CHUNK(0x26),
    REJECT(0x27),
    LIVE_CHUNK(0x28),
    LIVE_END(0x29),
    GRANT(0x2a),
    JOIN(0x2b),
    REDEEM(0x2c);

    private static final MessageType[] BY_CODE = new MessageType[256];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Throws UNEXPECTED unless this is {@code expected}: a peer must send its messages in protocol order. */
    public void expect(MessageType expected) throws ProtocolException {
        if (this != expected) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + this + " (expected: " + expected + ")");
        }
    }

    /** The type for a wire byte (0..255). */
    public static MessageType of(int code) throws ProtocolException {
        MessageType type = code >= 0 && code < 256 ? BY_CODE[code] : null;
        if (type == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TYPE,
                    "type: 0x" + Integer.toHexString(code) + " (expected: a known message type)");
        }
        return type;
    }
}
