package p2pstream.common.access;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import p2pstream.common.wire.PeerId;

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

    /** Text meant as a peer id (28 base32 characters, dashes anywhere): a typo in it is an error, not a name. */
    public static boolean idLike(String text) {
        int chars = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = Character.toUpperCase(text.charAt(i));
            if ((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) {
                chars++;
            } else if (c != '-') {
                return false;
            }
        }
        return chars == 28;
    }

    /**
     * Sorts the command line's {@code texts} of option {@code option} into peer ids and account names (an id, as
     * {@code --whoami} prints it, or a name; text meant as an id is never taken for a name).
     *
     * @throws IllegalArgumentException naming the option and the text that is neither
     */
    public static void split(String option, List<String> texts, Set<PeerId> ids, Set<String> names) {
        for (String text : texts) {
            if (!idLike(text) && isValid(text)) {
                names.add(text);
                continue;
            }
            try {
                ids.add(PeerId.parse(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + text + " (expected: a peer id, as --whoami prints"
                        + " it, or a tracker account's name: 1 to " + MAX_CHARS + " of a-z 0-9 _ . -)", e);
            }
        }
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
