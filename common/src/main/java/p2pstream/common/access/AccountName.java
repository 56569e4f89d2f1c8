package p2pstream.common.access;

import java.util.regex.Pattern;

/**
 * The rule for an account's name at the tracker: 1 to 32 of {@code a-z 0-9 _ . -}, so a name is safe in a log line,
 * a URL and a file of allowed readers, and never mistaken for a peer id (those have capitals and a fixed form,
 * checked first where both may appear). Stateless; any thread.
 */
public final class AccountName {
    public static final int MAX_CHARS = 32;
    private static final Pattern NAME = Pattern.compile("[a-z0-9_.-]{1," + MAX_CHARS + "}");

    private AccountName() {
    }

    /** Whether {@code text} is a valid account name. */
    public static boolean isValid(String text) {
        return text != null && NAME.matcher(text).matches();
    }

    /** {@code text}, or IllegalArgumentException naming {@code field} and the rule. */
    public static String check(String field, String text) {
        if (!isValid(text)) {
            throw new IllegalArgumentException(field + ": \"" + clip(text) + "\" (expected: an account name, 1 to "
                    + MAX_CHARS + " of a-z 0-9 _ . -)");
        }
        return text;
    }

    private static String clip(String text) {
        return text == null ? "" : text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
