package p2pstream.common.http;

/**
 * Writes one JSON document, in order, into a string (for {@code /api/status} answers): objects, arrays, names and
 * values, commas placed for the caller; strings escaped (quotes, backslashes, control characters, U+2028 and
 * U+2029), non-finite numbers written as null. Not thread-safe: one thread builds a document.
 */
public final class JsonWriter {
    private static final int MAX_DEPTH = 32;

    private final StringBuilder out = new StringBuilder(256);
    /** Per open object or array: whether a member has been written yet (a comma goes before the next). */
    private final boolean[] started = new boolean[MAX_DEPTH];
    private int depth;
    private boolean afterName;

    public JsonWriter beginObject() {
        return open('{');
    }

    public JsonWriter endObject() {
        return close('}');
    }

    public JsonWriter beginArray() {
        return open('[');
    }

    public JsonWriter endArray() {
        return close(']');
    }

    /** The name of the next member of the object being written. */
    public JsonWriter name(String name) {
        separate();
        quote(name);
        out.append(':');
        afterName = true;
        return this;
    }

    /** A string, or null. */
    public JsonWriter value(String s) {
        separate();
        if (s == null) {
            out.append("null");
        } else {
            quote(s);
        }
        return this;
    }

    public JsonWriter value(long n) {
        separate();
        out.append(n);
        return this;
    }

    /** A number; NaN and the infinities, which JSON cannot hold, as null. */
    public JsonWriter value(double d) {
        separate();
        out.append(Double.isFinite(d) ? Double.toString(d) : "null");
        return this;
    }

    public JsonWriter value(boolean b) {
        separate();
        out.append(b);
        return this;
    }

    /** {@code name} and a string value. */
    public JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, double value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    /** The document written so far (whole once every object and array is closed). */
    public String text() {
        return out.toString();
    }

    private JsonWriter open(char c) {
        separate();
        if (depth == MAX_DEPTH) {
            throw new IllegalStateException("json: depth " + depth + " (expected: at most " + MAX_DEPTH + ")");
        }
        out.append(c);
        started[depth++] = false;
        return this;
    }

    private JsonWriter close(char c) {
        if (depth == 0) {
            throw new IllegalStateException("json: " + c + " with nothing open (expected: a matching begin)");
        }
        depth--;
        out.append(c);
        return this;
    }

    /** A comma before every member but the first; none between a name and its value. */
    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0) {
            if (started[depth - 1]) {
                out.append(',');
            }
            started[depth - 1] = true;
        }
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
