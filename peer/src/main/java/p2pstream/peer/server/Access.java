package p2pstream.peer.server;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * gets one per allowed id with the announcement (PROTOCOL.md section 10). The allowed ids are fixed; ids let in while
 * the server runs ({@link #admit}: a redeemed invite, a provider password) are added on the server's first loop and
 * read from any thread. Thread-safe.
 */
public final class Access {
    /** Anyone may read; no grants. */
    public static final Access PUBLIC = new Access(null, Set.of());
    /** How long a grant handed to a reader of a private file stays valid; the server renews them at half of it. */
    static final long GRANT_LIFETIME_MILLIS = 24L * 3600 * 1000;

    private final Identity owner;
    private final Set<PeerId> allowed;
    /** Ids let in while running, each with the path prefixes it may read ("" for all); replaced whole on change. */
    private volatile Map<PeerId, List<String>> admitted = Map.of();

    private Access(Identity owner, Set<PeerId> allowed) {
        this.owner = owner;
        this.allowed = allowed;
    }

    /**
     * Private: only {@code allowed} may read, and {@code owner} (the server's identity) signs their grants; at most
     * {@link PrivateAnnounce#MAX_GRANTS} ids, the grants one announcement to the tracker carries. None: nobody reads
     * until {@link #admit} lets someone in (invites, a provider password).
     */
    public static Access allowing(Identity owner, Collection<PeerId> allowed) {
        Set<PeerId> ids = Set.copyOf(allowed);
        if (ids.size() > PrivateAnnounce.MAX_GRANTS) {
            throw new IllegalArgumentException("--allow: " + ids.size() + " peer ids (expected: at most "
                    + PrivateAnnounce.MAX_GRANTS + ")");
        }
        return new Access(owner, ids);
    }

    /**
     * Lets {@code reader} read every stream named {@code prefix} or under it ("" for all); false when the server
     * already lets {@link PrivateAnnounce#MAX_GRANTS} ids in (one announcement carries no more grants). The caller
     * announces the streams it covers again. The server's first loop (the smallest version of it: the branch
     * {@code access} makes the whole set changeable).
     */
    public synchronized boolean admit(PeerId reader, String prefix) {
        List<String> had = admitted.get(reader);
        if (had != null && had.contains(prefix)) {
            return true;
        }
        if (had == null && !allowed.contains(reader)
                && allowed.size() + admitted.size() >= PrivateAnnounce.MAX_GRANTS) {
            return false;
        }
        Map<PeerId, List<String>> next = new HashMap<>(admitted);
        List<String> prefixes = new ArrayList<>(had != null ? had : List.of());
        prefixes.add(prefix);
        next.put(reader, List.copyOf(prefixes));
        admitted = Map.copyOf(next);
        return true;
    }

    private boolean admits(PeerId reader, String name) {
        List<String> prefixes = admitted.get(reader);
        if (prefixes != null && name != null) {
            for (String p : prefixes) {
                if (Grant.covers(p, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    public boolean isPrivate() {
        return owner != null;
    }

    /**
     * Why {@code reader} may not read the stream {@code name} (null when it may); {@code encrypted}: whether its
     * connection is; {@code stream}: how the refusal names it.
     */
    String refusal(PeerId reader, boolean encrypted, String name, String stream) {
        if (owner == null) {
            return null;
        }
        if (!encrypted) {
            return stream + " is private (expected: an encrypted connection; a private stream never travels in"
                    + " plaintext)";
        }
        if (reader == null || !allowed.contains(reader) && !admits(reader, name)) {
            return stream + " is private: peer " + (reader == null ? "?" : reader.text()) + " may not read it"
                    + " (expected: a peer id its owner allowed)";
        }
        return null;
    }

    /** The grant a reader let in is handed, valid from {@code nowMillis}; null when the stream is public. */
    Grant grantFor(PeerId reader, ContentId id, long nowMillis) {
        return owner == null ? null : Grant.forStream(owner, reader, id, nowMillis + GRANT_LIFETIME_MILLIS);
    }

    /** A grant of every stream under {@code prefix} to {@code reader}, valid from {@code nowMillis}; private only. */
    Grant grantForPrefix(PeerId reader, String prefix, long nowMillis) {
        return Grant.forPrefix(owner, reader, prefix, nowMillis + GRANT_LIFETIME_MILLIS);
    }

    /**
     * How {@code a} is announced to the tracker: as it is for a public stream; for a private one, with a grant for
     * every allowed id (and every id admitted to it) valid from {@code nowMillis}, which the tracker keeps and shows
     * to its grantee; null when nobody may read it yet (nothing to announce).
     */
    Message announcement(Announce a, long nowMillis) {
        if (owner == null) {
            return a;
        }
        List<Grant> grants = new ArrayList<>(allowed.size());
        for (PeerId reader : allowed) {
            grants.add(grantFor(reader, a.contentId(), nowMillis));
        }
        for (PeerId reader : admitted.keySet()) {
            if (!allowed.contains(reader) && admits(reader, a.name())) {
                grants.add(grantFor(reader, a.contentId(), nowMillis));
            }
        }
        return grants.isEmpty() ? null : new PrivateAnnounce(a, grants);
    }

    /** The server's identity, which signs grants; null for public access. */
    Identity owner() {
        return owner;
    }

    int allowedCount() {
        return allowed.size();
    }

    @Override
    public String toString() {
        return owner == null ? "public" : "private to " + allowed.size() + " peer ids";
    }
}
