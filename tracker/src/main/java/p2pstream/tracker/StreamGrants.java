package p2pstream.tracker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import p2pstream.common.access.Grant;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;

/**
 * What makes a stream private at the tracker: its owner (the identity that signs its grants) and the grants the
 * owner's session uploaded, by grantee, held while that session holds the stream. Only the owner and the grantees of
 * unexpired grants may know the stream exists. Confined to the registry loop's thread.
 */
final class StreamGrants {
    /** Heap bytes per grant held besides its encoding: the grant, its ids and the map node. */
    static final long GRANT_OVERHEAD_BYTES = 240;
    /** No session holds the grants. */
    static final int NONE = -1;

    final PeerId owner;
    private Map<PeerId, Grant> byGrantee = Map.of();
    /** The handle of the owner's session whose upload these are, or NONE. */
    private int session = NONE;
    private long bytes;

    StreamGrants(PeerId owner) {
        this.owner = owner;
    }

    /** Heap bytes {@code grants} would take. */
    static long bytesOf(List<Grant> grants) {
        long n = 0;
        for (Grant g : grants) {
            n += GRANT_OVERHEAD_BYTES + g.encodedLength();
        }
        return n;
    }

    /** Whether the session proved to be {@code asker} (null: no proved id, or in plaintext) may know of {@code s}. */
    boolean visibleTo(PeerId asker, ContentId id, String name, long nowMillis) {
        if (asker == null) {
            return false;
        }
        if (asker.equals(owner)) {
            return true;
        }
        Grant g = byGrantee.get(asker);
        return g != null && g.check(asker, owner, id, name, nowMillis) == null;
    }

    /** The grant {@code asker} holds, encoded, for PEERS; null for the owner itself. */
    byte[] grantOf(PeerId asker) {
        Grant g = asker.equals(owner) ? null : byGrantee.get(asker);
        return g == null ? null : g.bytes();
    }

    /** The session whose grants these are, or NONE. */
    int session() {
        return session;
    }

    int count() {
        return byGrantee.size();
    }

    long bytes() {
        return bytes;
    }

    /** The owner's session {@code sessionHandle} uploaded {@code grants}: they replace what any session uploaded. */
    void replace(int sessionHandle, List<Grant> grants) {
        Map<PeerId, Grant> next = new HashMap<>(grants.size() * 2);
        for (Grant g : grants) {
            next.merge(g.grantee(), g, (a, b) -> a.expiresMillis() >= b.expiresMillis() ? a : b);
        }
        byGrantee = next;
        session = sessionHandle;
        bytes = bytesOf(List.copyOf(next.values()));
    }

    /** The uploading session stopped holding the stream: its grants go with it. */
    void clear() {
        byGrantee = Map.of();
        session = NONE;
        bytes = 0;
    }
}
