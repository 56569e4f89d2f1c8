package p2pstream.tracker;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Wire;

/**
 * One LIST, answered over as many registry turns as it needs. Names are matched with the filter in time linear
 * in the name (Knuth-Morris-Pratt over case-folded characters: a naive search over 20,000 names of 1,000
 * characters against a 501-character filter held the registry for 16-28 s), and a step scans at most
 * {@link #STEP_CHARS} characters of names, then yields the registry loop, so a LOOKUP queued meanwhile waits
 * for one step, not for a scan of every name. Registry loop only.
 */
final class ListScan {
    /** Characters of names one step scans: well under a millisecond. */
    static final long STEP_CHARS = 1 << 18;

    private final String filter;
    /** The filter case-folded, and its KMP failure table: fail[i] is the longest proper border of needle[0..i]. */
    private final char[] needle;
    private final int[] fail;
    private final int max;
    private final List<Streams.Entry> found = new ArrayList<>();
    private int bytesLeft = Wire.MAX_CONTROL_FRAME_BYTES - Frames.HEADER_BYTES - 2;
    /** The last name compared; the next step goes on after it (names added or removed meanwhile are fine). */
    private String after;
    private int steps;

    ListScan(String filter, int limit) {
        this.filter = filter;
        this.max = Math.min(limit, Wire.MAX_STREAMS_PER_LIST);
        this.needle = new char[filter.length()];
        for (int i = 0; i < needle.length; i++) {
            needle[i] = fold(filter.charAt(i));
        }
        this.fail = new int[needle.length];
        for (int i = 1, k = 0; i < needle.length; i++) {
            while (k > 0 && needle[i] != needle[k]) {
                k = fail[k - 1];
            }
            if (needle[i] == needle[k]) {
                k++;
            }
            fail[i] = k;
        }
    }

    /** Compares names for one step's budget; true when the answer is complete. */
    boolean step(NavigableMap<String, StreamEntry> byName) {
        steps++;
        long budget = STEP_CHARS;
        for (StreamEntry first : (after == null ? byName : byName.tailMap(after, false)).values()) {
            if (budget <= 0) {
                return false;
            }
            after = first.name;
            budget -= 1 + first.name.length();
            if (!matches(first.name)) {
                continue;
            }
            for (StreamEntry s = first; s != null; s = s.nextWithSameName) {
                Streams.Entry e = new Streams.Entry(s.contentId, s.name, s.size, s.chunkSize, s.holderCount(),
                        s.seedCount());
                bytesLeft -= Streams.entryBytes(e);
                if (found.size() >= max || bytesLeft < 0) {
                    return true;
                }
                found.add(e);
            }
        }
        return true;
    }

    Streams answer() {
        return new Streams(found);
    }

    /** Steps taken so far. */
    int steps() {
        return steps;
    }

    /** Whether {@code name} contains the filter, ignoring case as {@code String.regionMatches(true, ...)} does. */
    boolean matches(String name) {
        if (needle.length == 0) {
            return true;
        }
        // each character is looked at once: at most 2 x name.length() comparisons in all
        for (int i = 0, k = 0; i < name.length(); i++) {
            char c = fold(name.charAt(i));
            while (k > 0 && c != needle[k]) {
                k = fail[k - 1];
            }
            if (c == needle[k] && ++k == needle.length) {
                return true;
            }
        }
        return false;
    }

    /** Equal for two characters exactly when regionMatches with ignoreCase takes them as equal. */
    private static char fold(char c) {
        return Character.toLowerCase(Character.toUpperCase(c));
    }
}
