package p2pstream.peer.client.file;

import p2pstream.common.access.Grant;
import p2pstream.common.wire.PeerId;

/**
 * What a file stream does with a GRANT a peer hands it (checked by its link: it names us, the stream, and the id the
 * peer proved), while it holds none (PROTOCOL.md section 10). Any peer can sign a grant naming us, so one is taken
 * only from the owner the user pinned ({@code --peer HOST:PORT#ID}) for a stream no tracker was asked about; through
 * a tracker none is (its PEERS carry our grant for a private stream; one it found public stays so). Asked of given
 * peers with no owner pinned, a GRANT says the stream may be private, from whom we cannot tell: it is not taken and
 * the stream is served to nobody. Thread-safe (immutable).
 *
 * @param owner   the owner whose GRANT is taken, or null
 * @param tracked the tracker was asked about the stream
 */
record GrantRule(PeerId owner, boolean tracked) {
    enum Verdict {
        /** The stream is private, held by this grant: served on to peers that show one of the same owner. */
        TAKE,
        /** Not taken: the stream stays as it is. */
        IGNORE,
        /** Not taken, and the stream is served to nobody: it may be private, and we cannot tell its owner. */
        WITHHOLD
    }

    /** The rule for a stream found by the tracker ({@code tracked}), or asked of given peers with {@code pin}. */
    static GrantRule of(boolean tracked, PeerId pin) {
        return new GrantRule(tracked ? null : pin, tracked);
    }

    Verdict on(Grant g) {
        if (tracked) {
            return Verdict.IGNORE;
        }
        if (owner != null) {
            return g.owner().equals(owner) ? Verdict.TAKE : Verdict.IGNORE;
        }
        return Verdict.WITHHOLD;
    }

    /** What the log says when a stream is withheld. */
    static String withheld(String stream, Object peer, Grant g) {
        return stream + ": peer " + peer + " handed a grant of peer " + g.owner().text() + " (the stream may be"
                + " private), but no owner is pinned: not taken, and the stream is served to nobody (to re-serve"
                + " it, name its owner as --peer HOST:PORT#OWNER-ID)";
    }
}
