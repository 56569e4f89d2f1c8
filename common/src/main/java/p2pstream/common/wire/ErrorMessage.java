package p2pstream.common.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Why the sender is about to close the connection. The code may be one this version does not know; the
 * message is for humans and logs. Thread-safe (immutable).
 *
 * <pre>ERROR: &lt;len&gt;&lt;type=0x03&gt;&lt;code:u16&gt;&lt;message:str&lt;=1024&gt;</pre>
 */
public record ErrorMessage(int code, String message) implements Message {

    public ErrorMessage {
        message = clip(message == null ? "" : message);
    }

    public static ErrorMessage of(ProtocolException e) {
        return new ErrorMessage(e.code().code(), e.getMessage());
    }

    @Override
    public MessageType type() {
        return MessageType.ERROR;
    }

    @Override
    public int payloadLength() {
        return 2 + Wire.stringBytes(message);
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.putShort((short) code);
        Wire.putString(out, message);
    }

    public static ErrorMessage decode(ByteBuffer in) throws ProtocolException {
        int code = Wire.getU16(in, "error code");
        String message = Wire.getString(in, "error message", Wire.MAX_ERROR_MESSAGE_BYTES);
        Wire.end(in, MessageType.ERROR);
        return new ErrorMessage(code, message);
    }

    /** The code's name when known, else its number. */
    public String codeName() {
        ErrorCode c = ErrorCode.of(code);
        return c == null ? Integer.toString(code) : c.name();
    }

    private static String clip(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), Wire.MAX_ERROR_MESSAGE_BYTES));
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i)); // a whole supplementary character is valid text: keep it
                continue;
            }
            sb.append(c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isSurrogate(c) ? '?' : c);
        }
        String clean = sb.toString();
        while (clean.getBytes(StandardCharsets.UTF_8).length > Wire.MAX_ERROR_MESSAGE_BYTES) {
            int cut = clean.length() - Math.max(1, clean.length() / 8);
            clean = clean.substring(0, cut > 0 && Character.isHighSurrogate(clean.charAt(cut - 1)) ? cut - 1 : cut);
        }
        return clean;
    }
}
