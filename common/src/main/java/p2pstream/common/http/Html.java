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
}
