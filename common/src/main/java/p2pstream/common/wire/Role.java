package p2pstream.common.wire;

/** What the sender of a HELLO is. Immutable. */
public enum Role {
    TRACKER(1),
    SERVER(2),
    CLIENT(3);

    private final int code;

    Role(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Role of(int code) throws ProtocolException {
        for (Role r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new ProtocolException(ErrorCode.BAD_HELLO, "role: " + code + " (expected: 1, 2 or 3)");
    }
}
