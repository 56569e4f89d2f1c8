package p2pstream.common.http;

/** Escapes text for HTML, in element content and in quoted attribute values alike. Stateless; any thread. */
public final class Html {
    private Html() {
    }

    /** {@code s} with {@code & < > " '} as character references, appended to {@code out}. */
    public static StringBuilder escape(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out;
    }

    public static String escape(String s) {
        return escape(new StringBuilder(s.length() + 16), s).toString();
    }

    /** An id or attribute name the code chose: letters, digits and '-' only, so it needs no escaping. */
    static String attributeName(String name) {
        if (name.isEmpty() || !name.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
            throw new IllegalArgumentException("attribute name: " + name + " (expected: a-z, 0-9 and -)");
        }
        return name;
    }

    /** A path on the same server, escaped for an attribute: never another scheme or host. */
    static String localPath(String path) {
        if (!path.startsWith("/") || path.startsWith("//")) {
            throw new IllegalArgumentException("link: " + path + " (expected: a path on this server, from /)");
        }
        return escape(path);
    }
}
