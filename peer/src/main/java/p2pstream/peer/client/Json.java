package p2pstream.peer.client;

/**
 * Writes JSON strings into a {@link StringBuilder}: quoted, with quotes, backslashes and control characters escaped.
 * Any thread (stateless).
 */
final class Json {
    private Json() {
    }

    /** Appends {@code s} as a JSON string, or {@code null}. */
    static StringBuilder quote(StringBuilder sb, String s) {
        if (s == null) {
            return sb.append("null");
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
