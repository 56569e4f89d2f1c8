package p2pstream.tracker;

import java.util.NavigableMap;

/**
 * A walk through the registry's streams in name order, over as many registry turns as it needs, taking those whose
 * name contains a filter (case-insensitive). Names are matched in time linear in the name (Knuth-Morris-Pratt over
 * case-folded characters: a naive search over 20,000 names of 1,000 characters against a 501-character filter held
 * the registry for 16-28 s), and a step compares at most {@link #STEP_CHARS} characters of names, then yields the
 * registry loop, so a LOOKUP queued meanwhile waits for one step, not for a scan of every name. A LIST
 * ({@link ListScan}) and the dashboard's table ({@link StreamTableScan}) are such walks. Registry loop only.
 */
abstract class NameScan {
    /** Characters of names one step scans: well under a millisecond. */
    static final long STEP_CHARS = 1 << 18;

    /** The filter case-folded, and its KMP failure table: fail[i] is the longest proper border of needle[0..i]. */
    private final char[] needle;
    private final int[] fail;
    /** The last name compared; the next step goes on after it (names added or removed meanwhile are fine). */
    private String after;
    private int steps;

    NameScan(String filter) {
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

    /**
     * Whether the walk may show {@code s} at all: public streams only, unless the walk is made for a session that may
     * know of private ones (a LIST). A hidden stream's name is still compared, so a walk's steps do not depend on
     * what it may see.
     */
    boolean shows(StreamEntry s) {
        return s.access == null;
    }

    /** A stream whose name matches, in name order (streams of one name together); false ends the walk. */
    abstract boolean take(StreamEntry stream);

    /** Compares names for one step's budget; true when the walk is complete. */
    final boolean step(NavigableMap<String, StreamEntry> byName) {
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
                if (shows(s) && !take(s)) {
                    return true;
                }
            }
        }
        return true;
    }

    /** Steps taken so far. */
    final int steps() {
        return steps;
    }

    /** Whether {@code name} contains the filter, ignoring case as {@code String.regionMatches(true, ...)} does. */
    final boolean matches(String name) {
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
