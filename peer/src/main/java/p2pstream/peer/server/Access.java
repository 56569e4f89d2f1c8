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
 * gets one per allowed id with the announcement (PROTOCOL.md section 10). The allowed ids may be replaced at run time
 * ({@link #allowOnly}: the devices of {@code --allow NAME} accounts, {@link AccountReaders}). Thread-safe.
 */
public final class Access {
    /** Anyone may read; no grants. */
    public static final Access PUBLIC = new Access(null, Set.of());
    /** How long a grant handed to a reader of a private file stays valid; the server renews them at half of it. */
    static final long GRANT_LIFETIME_MILLIS = 24L * 3600 * 1000;

    private final Identity owner;
    /** Replaced whole, never changed in place: readers on any loop see one set or the next. */
    private volatile Set<PeerId> allowed;

    private Access(Identity owner, Set<PeerId> allowed) {
        this.owner = owner;
        this.allowed = allowed;
    }

    /**
     * Private: only {@code allowed} may read, and {@code owner} (the server's identity) signs their grants; at most
     * {@link PrivateAnnounce#MAX_GRANTS} ids, the grants one announcement to the tracker carries. None (yet: the
     * devices of accounts come later) lets nobody but the owner read.
     */
    public static Access allowing(Identity owner, Collection<PeerId> allowed) {
        return new Access(owner, checked(allowed));
    }

    /** From now on exactly {@code ids} may read (a private Access; the caller re-announces). Any thread. */
    void allowOnly(Collection<PeerId> ids) {
        if (owner == null) {
            throw new IllegalStateException("access: public (expected: --private)");
        }
        allowed = checked(ids);
    }

    private static Set<PeerId> checked(Collection<PeerId> allowed) {
        Set<PeerId> ids = Set.copyOf(allowed);
        if (ids.size() > PrivateAnnounce.MAX_GRANTS) {
            throw new IllegalArgumentException("--allow: " + ids.size() + " peer ids (expected: at most "
                    + PrivateAnnounce.MAX_GRANTS + ")");
        }
        return ids;
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
        Set<PeerId> readers = allowed;
        List<Grant> grants = new ArrayList<>(readers.size());
        for (PeerId reader : readers) {
            grants.add(grantFor(reader, a.contentId(), nowMillis));
        }
        if (grants.isEmpty()) {
            // nobody allowed yet: a grant to itself keeps the stream private (listed to its owner only)
            grants.add(grantFor(owner.peerId(), a.contentId(), nowMillis));
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
