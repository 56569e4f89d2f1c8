package p2pstream.common.cli;

import p2pstream.common.wire.PeerId;

/**
 * An address given on a command line with, after {@code #}, the peer id whoever answers there must prove:
 * {@code HOST[:PORT][#ID]} (a tracker, {@code --peer}). The one parser of that form. Thread-safe (immutable).
 *
 * @param address the text before {@code #}: {@code HOST[:PORT]}, for {@link Endpoint#parse}
 * @param id      the id pinned, or null when none was given
 */
public record PinnedAddress(String address, PeerId id) {

    /** Splits {@code text} at its first {@code #}; a bad id is {@code option: peer id: ...}. */
    public static PinnedAddress parse(String option, String text) {
        int hash = text.indexOf('#');
        return hash < 0 ? new PinnedAddress(text, null)
                : new PinnedAddress(text.substring(0, hash), id(option, text.substring(hash + 1)));
    }

    /** A peer id given alone ({@code --tracker-id ID}); a bad one is {@code option: peer id: ...}. */
    public static PeerId id(String option, String text) {
        try {
            return PeerId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }
}
