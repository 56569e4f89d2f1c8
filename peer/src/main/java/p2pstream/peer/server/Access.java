package p2pstream.peer.server;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import p2pstream.common.access.Grant;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;

/**
 * Who may read a peer-server's streams: anyone, or with {@code --private} only the peer ids it allows, over an
 * encrypted connection; each reader let in gets a grant naming it, signed by the server's identity, and the tracker
 * gets one per allowed id with the announcement (PROTOCOL.md section 10). Thread-safe (immutable).
 */
public final class Access {
    /** Anyone may read; no grants. */
    public static final Access PUBLIC = new Access(null, Set.of());
    /** How long a grant handed to a reader of a private file stays valid; the server renews them at half of it. */
    static final long GRANT_LIFETIME_MILLIS = 24L * 3600 * 1000;

    private final Identity owner;
    private final Set<PeerId> allowed;

    private Access(Identity owner, Set<PeerId> allowed) {
        this.owner = owner;
        this.allowed = allowed;
    }

    /**
     * Private: only {@code allowed} may read, and {@code owner} (the server's identity) signs their grants; at most
     * {@link PrivateAnnounce#MAX_GRANTS} ids, the grants one announcement to the tracker carries.
     */
    public static Access allowing(Identity owner, Collection<PeerId> allowed) {
        Set<PeerId> ids = Set.copyOf(allowed);
        if (ids.isEmpty() || ids.size() > PrivateAnnounce.MAX_GRANTS) {
            throw new IllegalArgumentException("--allow: " + ids.size() + " peer ids (expected: 1.."
                    + PrivateAnnounce.MAX_GRANTS + ")");
        }
        return new Access(owner, ids);
    }

    public boolean isPrivate() {
        return owner != null;
    }

    /** Why {@code reader} may not read (null when it may); {@code encrypted}: whether its connection is. */
    String refusal(PeerId reader, boolean encrypted, String stream) {
        if (owner == null) {
            return null;
        }
        if (!encrypted) {
            return stream + " is private (expected: an encrypted connection; a private stream never travels in"
                    + " plaintext)";
        }
        if (reader == null || !allowed.contains(reader)) {
            return stream + " is private: peer " + (reader == null ? "?" : reader.text()) + " may not read it"
                    + " (expected: a peer id its owner allowed)";
        }
        return null;
    }

    /** The grant a reader let in is handed, valid from {@code nowMillis}; null when the stream is public. */
    Grant grantFor(PeerId reader, ContentId id, long nowMillis) {
        return owner == null ? null : Grant.forStream(owner, reader, id, nowMillis + GRANT_LIFETIME_MILLIS);
    }

    /**
     * How {@code a} is announced to the tracker: as it is for a public stream; for a private one, with a grant for
     * every allowed id valid from {@code nowMillis}, which the tracker keeps and shows to its grantee.
     */
    Message announcement(Announce a, long nowMillis) {
        if (owner == null) {
            return a;
        }
        List<Grant> grants = new ArrayList<>(allowed.size());
        for (PeerId reader : allowed) {
            grants.add(grantFor(reader, a.contentId(), nowMillis));
        }
        return new PrivateAnnounce(a, grants);
    }

    int allowedCount() {
        return allowed.size();
    }

    @Override
    public String toString() {
        return owner == null ? "public" : "private to " + allowed.size() + " peer ids";
    }
}
