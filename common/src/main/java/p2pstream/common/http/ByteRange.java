package p2pstream.common.http;

/**
 * One byte range of a body of known size, {@code first..last} inclusive, as a {@code Range: bytes=...} header asks
 * for it: {@code a-b}, {@code a-} (to the end), {@code -n} (the last n bytes); of several, the first satisfiable;
 * an end past the size is clipped. {@link #parse} answers null for no header or one to ignore (not bytes,
 * malformed: serve the whole body, 200), {@link #UNSATISFIABLE} when no range lies within the body (416 with
 * {@link #contentRange}), else the range (206). Thread-safe (immutable).
 */
public record ByteRange(long first, long last) {
    /** No range asked for lies within the body. */
    public static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);
    /** More digits than this are taken as a number past any size (no overflow). */
    private static final int MAX_DIGITS = 18;
    private static final long HUGE = Long.MAX_VALUE;

    /** The range {@code header} asks of a body of {@code size} bytes; null to serve it whole. */
    public static ByteRange parse(String header, long size) {
        if (header == null || !header.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null;
        }
        ByteRange found = null;
        boolean any = false;
        int start = 6;
        while (start <= header.length()) {
            int comma = header.indexOf(',', start);
            int end = comma < 0 ? header.length() : comma;
            String spec = header.substring(start, end).strip();
            start = end + 1;
            if (spec.isEmpty()) {
                continue; // an empty list element is allowed, and means nothing
            }
            any = true;
            ByteRange range = spec(spec, size);
            if (range == null) {
                return null; // one malformed range makes the header one to ignore (RFC 9110, section 14.2)
            }
            if (found == null && range.isSatisfiable()) {
                found = range;
            }
        }
        return found != null ? found : any ? UNSATISFIABLE : null;
    }

    /** One {@code a-b}, {@code a-} or {@code -n} against {@code size}; null when malformed. */
    private static ByteRange spec(String spec, long size) {
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        if (dash == 0) { // -n: the last n bytes
            long suffix = number(spec, 1, spec.length());
            if (suffix < 0) {
                return null;
            }
            return suffix == 0 || size == 0 ? UNSATISFIABLE : new ByteRange(Math.max(0, size - suffix), size - 1);
        }
        long first = number(spec, 0, dash);
        long last = dash + 1 == spec.length() ? HUGE : number(spec, dash + 1, spec.length());
        if (first < 0 || last < 0 || last < first) {
            return null;
        }
        return first >= size ? UNSATISFIABLE : new ByteRange(first, Math.min(last, size - 1));
    }

    /** The decimal number in {@code s[from, to)}, {@link #HUGE} when too long to matter, -1 when not digits. */
    private static long number(String s, int from, int to) {
        if (from == to) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = to - from > MAX_DIGITS ? HUGE : value * 10 + (c - '0');
        }
        return value;
    }

    public boolean isSatisfiable() {
        return first >= 0;
    }

    /** Bytes in the range. */
    public long length() {
        return last - first + 1;
    }

    /** The Content-Range value: {@code bytes first-last/size}, or {@code bytes *}{@code /size} when unsatisfiable. */
    public String contentRange(long size) {
        return isSatisfiable() ? "bytes " + first + "-" + last + "/" + size : "bytes */" + size;
    }
}
