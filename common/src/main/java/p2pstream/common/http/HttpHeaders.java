package p2pstream.common.http;

import java.util.ArrayList;
import java.util.List;

/**
 * Header fields in order, names compared without regard to case: those of a request as received, or those a
 * handler gives a response ({@link #add} checks each, so no header can split a response). Not thread-safe: one
 * loop thread builds or reads it.
 */
public final class HttpHeaders {
    /** Name, value, name, value...: two strings a field, no object each. */
    private final List<String> fields = new ArrayList<>();

    /** Adds a field; the name must be a token, the value printable Latin-1 (tabs allowed). Returns this. */
    public HttpHeaders add(String name, String value) {
        if (name.isEmpty() || !isToken(name)) {
            throw new IllegalArgumentException("header name: \"" + name + "\" (expected: a token)");
        }
        for (int i = 0; i < value.length(); i++) {
            if (!isFieldChar(value.charAt(i))) {
                throw new IllegalArgumentException("header " + name + ": character " + (int) value.charAt(i)
                        + " at " + i + " (expected: printable Latin-1, no CR, LF or NUL)");
            }
        }
        return addChecked(name, value);
    }

    /** Adds a field the request parser has already checked. */
    HttpHeaders addChecked(String name, String value) {
        fields.add(name);
        fields.add(value);
        return this;
    }

    /** The first value of {@code name}, or null. */
    public String get(String name) {
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).equalsIgnoreCase(name)) {
                return fields.get(i + 1);
            }
        }
        return null;
    }

    /** How many fields are named {@code name}. */
    public int count(String name) {
        int n = 0;
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).equalsIgnoreCase(name)) {
                n++;
            }
        }
        return n;
    }

    /** True when a field {@code name} lists {@code token} among its comma-separated values (e.g. Connection: close). */
    public boolean hasToken(String name, String token) {
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).equalsIgnoreCase(name) && listsToken(fields.get(i + 1), token)) {
                return true;
            }
        }
        return false;
    }

    /** Number of fields. */
    public int size() {
        return fields.size() / 2;
    }

    public String name(int index) {
        return fields.get(2 * index);
    }

    public String value(int index) {
        return fields.get(2 * index + 1);
    }

    /** Compares in place: a long hostile value costs no copy. */
    private static boolean listsToken(String list, String token) {
        int start = 0;
        while (start <= list.length()) {
            int comma = list.indexOf(',', start);
            int end = comma < 0 ? list.length() : comma;
            int from = start;
            int to = end;
            while (from < to && isBlank(list.charAt(from))) {
                from++;
            }
            while (to > from && isBlank(list.charAt(to - 1))) {
                to--;
            }
            if (to - from == token.length() && list.regionMatches(true, from, token, 0, token.length())) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    static boolean isToken(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 tchar: the characters of methods and header names. */
    static boolean isTokenChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c < 128 && c > 32
                && "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** A character a field value may hold: tab, space, visible ASCII, obs-text (0x80..0xff). */
    static boolean isFieldChar(int c) {
        return c == '\t' || c >= 0x20 && c != 0x7f && c <= 0xff;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.size(); i += 2) {
            sb.append(fields.get(i)).append(": ").append(fields.get(i + 1)).append('\n');
        }
        return sb.toString();
    }
}
