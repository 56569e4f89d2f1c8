package p2pstream.tracker;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import p2pstream.common.access.Grant;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Wire;

/**
 * The tracker's in-memory map: content id to the sessions holding it, plus a name index. A (stream, session)
 * entry costs two ints: the session's handle in the stream's holder array and the stream's position in the
 * session's holdings table (see {@link StreamEntry}, {@link SessionHoldings}). Confined to the registry loop's
 * thread: sessions on other loops reach it only through tasks on that loop.
 */
final class Registry {
    /** Bounds one session's announcements, so one peer cannot fill the tracker's heap. */
    static final int MAX_STREAMS_PER_SESSION = 65_536;
    /** Bounds the grants one session's private announcements keep at the tracker (about 8 MiB of heap). */
    static final int MAX_GRANTS_PER_SESSION = 16_384;
    /** Bounds all sessions' entries together: at most a few hundred MiB of heap even if each is a stream of its own. */
    static final int DEFAULT_MAX_ENTRIES = 2_000_000;

    /** Heap bytes per stream besides its name and holders (entry, content id, map nodes); see RegistryFootprint. */
    static final long STREAM_BYTES = 250;
    /** Heap bytes per entry: its holder slot and its session-table slot, with the tables' slack. */
    static final long ENTRY_BYTES = 32;
    /** Bounds the registry's estimated heap, names included: long names cost ~1 KiB a stream, not ~300 B. */
    static final long DEFAULT_MAX_BYTES = 512L << 20;

    /** Why an announcement was refused, as the tracker's metrics label it. */
    enum Refusal {
        CONFLICT("conflict"), SESSION_LIMIT("session_limit"), MAX_ENTRIES("max_entries"), MAX_MEMORY("max_memory"),
        GRANT("grant"), GRANT_LIMIT("grant_limit");

        final String label;

        Refusal(String label) {
            this.label = label;
        }
    }

    private final long maxEntries;
    private final long maxBytes;
    /** Estimated heap of what the registry holds: STREAM_BYTES and the name per stream, ENTRY_BYTES per entry. */
    private long bytes;
    private final Map<ContentId, StreamEntry> streams = new HashMap<>();
    /** Name to the first stream of that name; the others follow through {@link StreamEntry#nextWithSameName}. */
    private final TreeMap<String, StreamEntry> byName = new TreeMap<>();
    private final Map<Long, SessionHoldings> bySession = new HashMap<>();
    /** Sessions the tracker's dial-back could not reach (behind NATs); their entries carry the flag. */
    private final Set<Long> unreachable = new HashSet<>();
    /** The sessions from each IP address, for counting a stream's distinct hosts. */
    private final Map<InetAddress, List<SessionHoldings>> byHost = new HashMap<>();
    private final Handles<StreamEntry> streamHandles = new Handles<>();
    private final Handles<SessionHoldings> sessionHandles = new Handles<>();
    private final SplittableRandom random = new SplittableRandom();
    private final int[] sample = new int[Wire.MAX_PEERS_PER_LOOKUP];
    private int[] sampleMarks = new int[64];
    private int sampleGeneration;
    private long entries;
    private final long[] refusals = new long[Refusal.values().length];

    Registry() {
        this(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_BYTES);
    }

    Registry(long maxEntries, long maxBytes) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** A stream's estimated heap bytes before its holders: a Latin-1 name costs a byte a character, others two. */
    static long streamBytes(String name) {
        int perChar = 1;
        for (int i = 0; i < name.length() && perChar == 1; i++) {
            perChar = name.charAt(i) < 256 ? 1 : 2;
        }
        return STREAM_BYTES + 40 + (long) perChar * name.length();
    }

    /**
     * Records or updates a peer's holding of a public stream. Returns null on success, or why it was refused.
     */
    String announce(TrackerSession.Peer peer, Announce a) {
        return announce(peer, a, null, 0);
    }

    /**
     * Records or updates a peer's holding, of a private stream when {@code p} is its PRIVATE_ANNOUNCE (whose grants
     * the session checked: one owner, the announcer or the grantee of the one grant, signatures good): the owner's
     * unexpired grants replace those it uploaded before; a holder's own grant must not have expired at
     * {@code nowMillis}. Returns null on success, or why it was refused.
     */
    String announce(TrackerSession.Peer peer, Announce a, PrivateAnnounce p, long nowMillis) {
        StreamEntry stream = streams.get(a.contentId());
        PeerId owner = p == null ? null : p.owner();
        if (stream != null && !stream.matches(a, owner)) {
            refusals[Refusal.CONFLICT.ordinal()]++;
            return "announce " + a.contentId().shortHex() + ": size/chunk size/name/owner differ from earlier"
                    + " announcements (expected: " + stream.name + " " + stream.size + " bytes in " + stream.chunkSize
                    + "-byte chunks, " + (stream.access == null ? "public" : "private of " + stream.access.owner.text())
                    + ")";
        }
        SessionHoldings mine = bySession.get(peer.sessionId());
        List<Grant> kept = null;
        if (p != null && peer.peerId().equals(owner)) {
            kept = new ArrayList<>(p.grants().size());
            for (Grant g : p.grants()) {
                if (g.expiresMillis() > nowMillis) {
                    kept.add(g);
                }
            }
            String refused = grantRoom(mine, stream, kept);
            if (refused != null) {
                return "announce " + a.contentId().shortHex() + ": " + refused;
            }
        } else if (p != null) {
            String wrong = p.grants().get(0).check(peer.peerId(), owner, a.contentId(), a.name(), nowMillis);
            if (wrong != null) {
                refusals[Refusal.GRANT.ordinal()]++;
                return "announce " + a.contentId().shortHex() + ": " + wrong;
            }
        }
        String refused = hold(peer, a, owner, stream, mine);
        if (refused == null && kept != null) {
            keepGrants(streams.get(a.contentId()), bySession.get(peer.sessionId()), kept);
        }
        return refused;
    }

    /** Why {@code mine} may not replace its grants of {@code stream} (null: new) with {@code kept}, or null. */
    private String grantRoom(SessionHoldings mine, StreamEntry stream, List<Grant> kept) {
        boolean ours = mine != null && stream != null && stream.access.session() == mine.handle;
        int before = ours ? stream.access.count() : 0;
        int held = (mine == null ? 0 : mine.grants) - before + kept.size();
        if (held > MAX_GRANTS_PER_SESSION) {
            refusals[Refusal.GRANT_LIMIT.ordinal()]++;
            return "grants held for this session: " + held + " (expected: <= " + MAX_GRANTS_PER_SESSION + ")";
        }
        long more = StreamGrants.bytesOf(kept) - (ours ? stream.access.bytes() : 0);
        if (bytes + more > maxBytes) {
            refusals[Refusal.MAX_MEMORY.ordinal()]++;
            return "tracker memory: " + bytes + " bytes held, " + more + " more asked for grants (expected: <= "
                    + maxBytes + " in all; the tracker is full)";
        }
        return null;
    }

    /** The owner's session {@code mine}, which holds {@code stream}, uploaded {@code kept}. */
    private void keepGrants(StreamEntry stream, SessionHoldings mine, List<Grant> kept) {
        dropGrants(stream);
        stream.access.replace(mine.handle, kept);
        mine.grants += stream.access.count();
        bytes += stream.access.bytes();
    }

    /** Forgets the grants of {@code stream} (private), giving their room back to the session that uploaded them. */
    private void dropGrants(StreamEntry stream) {
        int session = stream.access.session();
        if (session != StreamGrants.NONE) {
            sessionHandles.get(session).grants -= stream.access.count();
            bytes -= stream.access.bytes();
            stream.access.clear();
        }
    }

    /** Adds or updates the holding (the part of {@link #announce} every stream shares). */
    private String hold(TrackerSession.Peer peer, Announce a, PeerId owner, StreamEntry stream,
                        SessionHoldings mine) {
        int index = mine == null || stream == null ? -1 : mine.indexIn(stream.handle);
        if (index >= 0) {
            boolean wasComplete = stream.completeAt(index);
            stream.complete(index, a.complete());
            onHostChange(mine, stream, true, wasComplete, true, a.complete());
            return null;
        }
        if (mine != null && mine.size() >= MAX_STREAMS_PER_SESSION) {
            refusals[Refusal.SESSION_LIMIT.ordinal()]++;
            return "streams announced: " + mine.size() + " (expected: <= " + MAX_STREAMS_PER_SESSION + ")";
        }
        if (entries >= maxEntries) {
            refusals[Refusal.MAX_ENTRIES.ordinal()]++;
            return "tracker entries: " + entries + " (expected: < " + maxEntries + "; the tracker is full)";
        }
        long cost = ENTRY_BYTES + (stream == null ? streamBytes(a.name()) : 0);
        if (bytes + cost > maxBytes) {
            refusals[Refusal.MAX_MEMORY.ordinal()]++;
            return "tracker memory: " + bytes + " bytes held, " + cost + " more asked (expected: <= " + maxBytes
                    + " in all; the tracker is full)";
        }
        if (mine == null) {
            mine = sessionHandles.add(h -> new SessionHoldings(peer, h));
            if (unreachable.contains(peer.sessionId())) {
                mine.reachable(false);
            }
            bySession.put(peer.sessionId(), mine);
            byHost.computeIfAbsent(mine.host, h -> new ArrayList<>(1)).add(mine);
        }
        if (stream == null) {
            stream = streamHandles.add(h -> new StreamEntry(a, h, owner));
            streams.put(stream.contentId, stream);
            StreamEntry first = byName.putIfAbsent(stream.name, stream);
            if (first != null) {
                while (first.nextWithSameName != null) {
                    first = first.nextWithSameName;
                }
                first.nextWithSameName = stream;
            }
        }
        mine.put(stream.handle, stream.add(mine.handle, a.complete()));
        if (mine.viewer) {
            stream.viewers++;
        }
        onHostChange(mine, stream, false, false, true, a.complete());
        entries++;
        bytes += cost;
        return null;
    }

    void withdraw(long sessionId, ContentId id) {
        SessionHoldings mine = bySession.get(sessionId);
        StreamEntry stream = streams.get(id);
        int index = mine == null || stream == null ? -1 : mine.remove(stream.handle);
        if (index >= 0) {
            removeHolder(mine, stream, index);
        }
    }

    /**
     * The tracker's dial-back of a session found it reachable or not: its entries say so from now on (a session
     * announcing later takes it from here). Only unreachable sessions are remembered.
     */
    void reach(long sessionId, boolean reachable) {
        if (reachable) {
            unreachable.remove(sessionId);
        } else {
            unreachable.add(sessionId);
        }
        SessionHoldings mine = bySession.get(sessionId);
        if (mine != null) {
            mine.reachable(reachable);
        }
    }

    /** The session's peer is reached at another address now (a port its router maps): its entries say so. */
    void remap(TrackerSession.Peer peer) {
        unreachable.remove(peer.sessionId());
        SessionHoldings mine = bySession.get(peer.sessionId());
        if (mine != null) {
            mine.peer(peer);
        }
    }

    /**
     * Whether the session proved to be {@code asker} (null: none, or in plaintext) may know of the stream {@code id} at
     * {@code nowMillis}: a public stream, or a private one it is the owner or a grantee of. False for no such stream.
     */
    boolean visible(ContentId id, PeerId asker, long nowMillis) {
        StreamEntry stream = streams.get(id);
        return stream != null && stream.visibleTo(asker, nowMillis);
    }

    /**
     * Why the session may not offer the stream {@code id} as {@code name} of {@code size} bytes (an OFFER signed by
     * {@code owner}), or null when it may: it must hold the stream, private to {@code owner}, under that name and size.
     */
    String offerable(long sessionId, ContentId id, PeerId owner, String name, long size) {
        StreamEntry stream = streams.get(id);
        if (stream == null || stream.access == null || !stream.access.owner.equals(owner) || !holds(sessionId, id)) {
            return "offer " + id.shortHex() + ": this session does not hold it as its private owner (expected: a"
                    + " PRIVATE_ANNOUNCE of it first)";
        }
        if (!stream.name.equals(name) || stream.size != size) {
            return "offer " + id.shortHex() + ": " + name + ", " + size + " bytes (expected: " + stream.name + ", "
                    + stream.size + " bytes, as announced)";
        }
        return null;
    }

    /** Whether the session holds (announced) the stream. */
    boolean holds(long sessionId, ContentId id) {
        SessionHoldings mine = bySession.get(sessionId);
        StreamEntry stream = streams.get(id);
        return mine != null && stream != null && mine.indexIn(stream.handle) >= 0;
    }

    /** Forgets everything a session announced: called when it closes or goes silent. */
    void removeSession(long sessionId) {
        unreachable.remove(sessionId);
        SessionHoldings mine = bySession.remove(sessionId);
        if (mine == null) {
            return;
        }
        // removing one of this session's entries moves another session's holder, never one of this session's
        for (int slot = 0; slot < mine.slots(); slot++) {
            int stream = mine.streamAt(slot);
            if (stream >= 0) {
                removeHolder(mine, streamHandles.get(stream), mine.indexAt(slot));
            }
        }
        sessionHandles.remove(mine.handle);
        List<SessionHoldings> sameHost = byHost.get(mine.host);
        sameHost.remove(mine);
        if (sameHost.isEmpty()) {
            byHost.remove(mine.host);
        }
    }

    /**
     * Peers for a stream named by content id or, when {@code id} is null, by name (the name's content with
     * the most holders). A uniform random sample of at most {@code max}, never the asking session: a PEERS
     * message.
     */
    Message lookup(ContentId id, String name, int max, long askingSession) {
        return lookup(id, name, max, askingSession, null, 0);
    }

    /**
     * The same for a session proved to be {@code asker} (null: none, or in plaintext) at {@code nowMillis}: a private
     * stream is found only by its owner and the grantees of its unexpired grants (anyone else gets the answer of an
     * unknown stream), and a grantee's PEERS carries its grant.
     */
    Message lookup(ContentId id, String name, int max, long askingSession, PeerId asker, long nowMillis) {
        StreamEntry stream = id != null ? streams.get(id) : mostHeld(name, asker, nowMillis);
        if (stream == null || !stream.visibleTo(asker, nowMillis)) {
            return Peers.NOT_FOUND;
        }
        SessionHoldings mine = bySession.get(askingSession);
        int skip = mine == null ? -1 : mine.indexIn(stream.handle);
        if (sampleMarks.length < stream.holderCount()) {
            sampleMarks = new int[Math.max(stream.holderCount(), 2 * sampleMarks.length)];
            sampleGeneration = 0;
        }
        if (++sampleGeneration <= 0) { // fresh marks, or the counter wrapped: no stale mark may equal it
            Arrays.fill(sampleMarks, 0);
            sampleGeneration = 1;
        }
        int k = stream.sample(Math.min(max, Wire.MAX_PEERS_PER_LOOKUP), skip, random, sample, sampleMarks,
                sampleGeneration);
        byte[][] peers = new byte[k][];
        for (int i = 0; i < k; i++) {
            SessionHoldings holder = sessionHandles.get(stream.sessionAt(sample[i]));
            peers[i] = stream.completeAt(sample[i]) ? holder.asSeed : holder.asPartialHolder;
        }
        return Peers.ofEncoded(stream.contentId, stream.name, stream.size, stream.chunkSize, peers,
                stream.access == null ? null : stream.access.grantOf(asker));
    }

    /**
     * Streams whose name contains {@code filter} (case-insensitive), by name, fitting one control frame: all in one go.
     */
    Streams list(String filter, int limit) {
        return list(filter, limit, null, 0);
    }

    /** The same, as the session proved to be {@code asker} sees them at {@code nowMillis} (see {@link #lookup}). */
    Streams list(String filter, int limit, PeerId asker, long nowMillis) {
        ListScan scan = new ListScan(filter, limit, asker, nowMillis);
        while (!scan.step(byName)) {
            // the whole scan at once: for tests and callers that own the registry loop's time
        }
        return scan.answer();
    }

    /** Takes one step of a LIST or another walk by name, which may span several registry turns; true when complete. */
    boolean step(NameScan scan) {
        return scan.step(byName);
    }

    /** The stream with this content id, or null: for tests. */
    StreamEntry entry(ContentId id) {
        return streams.get(id);
    }

    int streamCount() {
        return streams.size();
    }

    long entryCount() {
        return entries;
    }

    /** Estimated heap bytes held (see STREAM_BYTES, ENTRY_BYTES). */
    long bytes() {
        return bytes;
    }

    /** No room for another entry: at the entry cap, or within a long-named stream of the byte cap. */
    boolean isFull() {
        return entries >= maxEntries || bytes + ENTRY_BYTES + streamBytes("") + Wire.MAX_NAME_BYTES > maxBytes;
    }

    int sessionCount() {
        return bySession.size();
    }

    long maxEntries() {
        return maxEntries;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Announcements refused for {@code why} so far. */
    long refusals(Refusal why) {
        return refusals[why.ordinal()];
    }

    /** The name's stream held by the most distinct hosts as seeds, then as holders; the earliest on a tie. */
    private StreamEntry mostHeld(String name, PeerId asker, long nowMillis) {
        StreamEntry best = null;
        for (StreamEntry s = name == null ? null : byName.get(name); s != null; s = s.nextWithSameName) {
            if (!s.visibleTo(asker, nowMillis)) {
                continue;
            }
            if (best == null || s.hostSeeds > best.hostSeeds
                    || (s.hostSeeds == best.hostSeeds && s.hostHolders > best.hostHolders)) {
                best = s;
            }
        }
        return best;
    }

    /**
     * Keeps the stream's distinct-host counts as {@code mine} goes from holding (seeding) it before to after:
     * its host counts once while any of its sessions holds (seeds) the stream. O(sessions from that host).
     */
    private void onHostChange(SessionHoldings mine, StreamEntry stream, boolean heldBefore, boolean seededBefore,
                              boolean heldAfter, boolean seededAfter) {
        boolean othersHold = false;
        boolean othersSeed = false;
        for (SessionHoldings other : byHost.get(mine.host)) {
            int index = other == mine ? -1 : other.indexIn(stream.handle);
            if (index >= 0) {
                othersHold = true;
                othersSeed |= stream.completeAt(index);
            }
        }
        stream.hostHolders += (othersHold || heldAfter ? 1 : 0) - (othersHold || heldBefore ? 1 : 0);
        stream.hostSeeds += (othersSeed || seededAfter ? 1 : 0) - (othersSeed || seededBefore ? 1 : 0);
    }

    private void removeHolder(SessionHoldings mine, StreamEntry stream, int index) {
        if (stream.access != null && stream.access.session() == mine.handle) {
            dropGrants(stream); // the owner stopped sharing it: nobody new finds it until it is back
        }
        onHostChange(mine, stream, true, stream.completeAt(index), false, false);
        if (mine.viewer) {
            stream.viewers--;
        }
        int moved = stream.removeAt(index);
        if (moved >= 0) {
            sessionHandles.get(moved).put(stream.handle, index);
        }
        entries--;
        bytes -= ENTRY_BYTES;
        if (stream.holderCount() == 0) {
            bytes -= streamBytes(stream.name);
            streams.remove(stream.contentId);
            streamHandles.remove(stream.handle);
            StreamEntry first = byName.get(stream.name);
            if (first == stream) {
                if (stream.nextWithSameName == null) {
                    byName.remove(stream.name);
                } else {
                    byName.put(stream.name, stream.nextWithSameName);
                }
            } else {
                while (first.nextWithSameName != stream) {
                    first = first.nextWithSameName;
                }
                first.nextWithSameName = stream.nextWithSameName;
            }
        }
    }
}
