package p2pstream.common.wire;

/**
 * The printable form of a peer id, made to be read aloud, typed and pasted: the 16 bytes in base32 (RFC 4648
 * alphabet, no padding: 26 characters), each half of 13 followed by its Luhn mod 32 check character, and the 28
 * characters in 4 groups of 7 joined by '-'. One mistyped character is always caught, as are most swaps of two
 * neighbours. docs/PROTOCOL.md states the rule. Stateless; any thread.
 *
 * <pre>peer id text: AAAAAAA-AAAAAAC-BBBBBBB-BBBBBBD   (data 13 + check 1, data 13 + check 1)</pre>
 */
final class PeerIdText {
    static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    static final int DATA_CHARS = 26;
    static final int TEXT_CHARS = 28;
    private static final int HALF = DATA_CHARS / 2;
    private static final int GROUP = 7;
    private static final String EXPECTED = "28 base32 characters in 4 groups of 7, as --whoami prints them";

    private PeerIdText() {
    }

    static String format(byte[] id) {
        String data = base32(id);
        String checked = data.substring(0, HALF) + check(data.substring(0, HALF))
                + data.substring(HALF) + check(data.substring(HALF));
        StringBuilder out = new StringBuilder(TEXT_CHARS + 3);
        for (int i = 0; i < TEXT_CHARS; i += GROUP) {
            if (i > 0) {
                out.append('-');
            }
            out.append(checked, i, i + GROUP);
        }
        return out.toString();
    }

    /** The 16 bytes of {@code text}; dashes and spaces anywhere, and lower case, are accepted. */
    static byte[] parse(String text) {
        StringBuilder chars = new StringBuilder(TEXT_CHARS);
        for (int i = 0; i < text.length(); i++) {
            char c = Character.toUpperCase(text.charAt(i));
            if (c == '-' || c == ' ') {
                continue;
            }
            if (ALPHABET.indexOf(c) < 0 || chars.length() == TEXT_CHARS) {
                throw new IllegalArgumentException("peer id: " + shown(text) + " (expected: " + EXPECTED + ")");
            }
            chars.append(c);
        }
        if (chars.length() != TEXT_CHARS) {
            throw new IllegalArgumentException("peer id: " + shown(text) + " (expected: " + EXPECTED + ")");
        }
        String first = chars.substring(0, HALF);
        String second = chars.substring(HALF + 1, TEXT_CHARS - 1);
        if (chars.charAt(HALF) != check(first) || chars.charAt(TEXT_CHARS - 1) != check(second)) {
            throw new IllegalArgumentException("peer id: " + shown(text)
                    + " has a wrong check character, so a typing mistake (expected: " + EXPECTED + ")");
        }
        String data = first + second;
        // 26 characters carry 130 bits: the last 2 must be 0, so each id has exactly one text
        if ((ALPHABET.indexOf(data.charAt(DATA_CHARS - 1)) & 0b11) != 0) {
            throw new IllegalArgumentException("peer id: " + shown(text) + " (expected: " + EXPECTED + ")");
        }
        return unbase32(data);
    }

    /**
     * The Luhn mod N check character (N = 32) of {@code s}: from the rightmost character leftwards, code points
     * are weighted 2, 1, 2, 1...; a weighted value v counts as v / 32 + v % 32; the check is (32 - sum % 32) % 32.
     */
    static char check(CharSequence s) {
        int factor = 2;
        int sum = 0;
        for (int i = s.length() - 1; i >= 0; i--) {
            int addend = factor * ALPHABET.indexOf(s.charAt(i));
            factor = factor == 2 ? 1 : 2;
            sum += addend / 32 + addend % 32;
        }
        return ALPHABET.charAt((32 - sum % 32) % 32);
    }

    static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET.charAt((buffer >>> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }

    private static byte[] unbase32(String s) {
        byte[] out = new byte[s.length() * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            buffer = (buffer << 5) | ALPHABET.indexOf(s.charAt(i));
            bits += 5;
            if (bits >= 8) {
                out[n++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        return out;
    }

    /** The text as typed, cut short: an error message must not carry a pasted megabyte. */
    private static String shown(String text) {
        return text.length() <= 40 ? "'" + text + "'" : "'" + text.substring(0, 40) + "...' (" + text.length()
                + " characters)";
    }
}
