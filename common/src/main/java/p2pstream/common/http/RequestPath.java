package p2pstream.common.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Percent-decoding of a request's path, refusing every path that could step outside where it points: a {@code .}
 * or {@code ..} segment (also encoded, {@code %2e%2e}), an encoded slash or backslash inside a segment
 * ({@code %2f}, {@code %5c}), a backslash at all, an empty segment ({@code //}), a control character or NUL, bytes
 * that are not UTF-8. A decoded path's segments can then be split on '/' without ambiguity. Stateless.
 */
final class RequestPath {

    private RequestPath() {
    }

    /** The decoded path of {@code raw} (visible ASCII, starting with '/'), or a 400 saying what is wrong. */
    static String decode(String raw) throws HttpException {
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            throw refused(raw, "does not start with /", "a path starting with /");
        }
        byte[] out = new byte[raw.length()];
        out[0] = '/';
        int n = 1;
        int segmentStart = 1;
        boolean ascii = true;
        for (int i = 1; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '/') {
                checkSegment(raw, out, segmentStart, n, false);
                out[n++] = '/';
                segmentStart = n;
                continue;
            }
            int b = c;
            if (c == '%') {
                b = escaped(raw, i);
                i += 2;
                if (b == '/' || b == '\\') {
                    throw refused(raw, "has an encoded slash or backslash", "none inside a segment");
                }
            } else if (c == '\\') {
                throw refused(raw, "has a backslash", "none");
            }
            if (b < 0x20 || b == 0x7f) {
                throw refused(raw, "encodes control character " + b, "none");
            }
            ascii &= b < 0x80;
            out[n++] = (byte) b;
        }
        checkSegment(raw, out, segmentStart, n, true);
        return ascii ? new String(out, 0, n, StandardCharsets.ISO_8859_1) : utf8(raw, out, n);
    }

    /** The byte a {@code %XY} at {@code at} stands for. */
    private static int escaped(String raw, int at) throws HttpException {
        int high = at + 1 < raw.length() ? hex(raw.charAt(at + 1)) : -1;
        int low = at + 2 < raw.length() ? hex(raw.charAt(at + 2)) : -1;
        if (high < 0 || low < 0) {
            throw refused(raw, "has a bad escape at " + at, "%XY, two hex digits");
        }
        return high << 4 | low;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lower = (char) (c | 0x20);
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    /** Refuses the decoded segment {@code out[from, to)}: empty (unless last), "." or "..". */
    private static void checkSegment(String raw, byte[] out, int from, int to, boolean last) throws HttpException {
        int length = to - from;
        if (length == 0 && !last) {
            throw refused(raw, "has an empty segment", "none");
        }
        if (length == 1 && out[from] == '.' || length == 2 && out[from] == '.' && out[from + 1] == '.') {
            throw refused(raw, "has a '.' or '..' segment", "none");
        }
    }

    private static String utf8(String raw, byte[] out, int n) throws HttpException {
        String path;
        try {
            path = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(out, 0, n)).toString();
        } catch (CharacterCodingException e) {
            throw refused(raw, "decodes to bytes that are not UTF-8", "UTF-8");
        }
        for (int i = 0; i < path.length(); i++) {
            if (Character.isISOControl(path.charAt(i))) {
                throw refused(raw, "encodes a control character", "none");
            }
        }
        return path;
    }

    private static HttpException refused(String raw, String what, String expected) {
        return HttpException.badRequest("path: " + HttpException.shown(raw) + " " + what + " (expected: " + expected
                + ")");
    }
}
