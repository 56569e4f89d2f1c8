package p2pstream.tracker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Message;
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
    /** Bounds all sessions' entries together: at most a few hundred MiB of heap even if each is a stream of its own. */
    static final int DEFAULT_MAX_ENTRIES = 2_000_000;

    private final long maxEntries;
    private final Map<ContentId, StreamEntry> streams = new HashMap<>();
    /** Name to the first stream of that name; the others follow through {@link StreamEntry#nextWithSameName}. */
    private final TreeMap<String, StreamEntry> byName = new TreeMap<>();
    private final Map<Long, SessionHoldings> bySession = new HashMap<>();
    private final Handles<StreamEntry> streamHandles = new Handles<>();
    private final Handles<SessionHoldings> sessionHandles = new Handles<>();
    private final SplittableRandom random = new SplittableRandom();
    private final int[] sample = new int[Wire.MAX_PEERS_PER_LOOKUP];
    private int[] sampleMarks = new int[64];
    private int sampleGeneration;
    private long entries;

    Registry() {
        this(DEFAULT_MAX_ENTRIES);
    }

    Registry(long maxEntries) {
        this.maxEntries = maxEntries;
    }

    /**
     * Records or updates a peer's holding. Returns null on success, or why it was refused.
     */
    String announce(TrackerSession.Peer peer, Announce a) {
        StreamEntry stream = streams.get(a.contentId());
        if (stream != null && !stream.matches(a)) {
            return "announce " + a.contentId().shortHex() + ": size/chunk size/name differ from earlier announcements"
                    + " (expected: " + stream.name + " " + stream.size + " bytes in " + stream.chunkSize + "-byte chunks)";
        }
        SessionHoldings mine = bySession.get(peer.sessionId());
        int index = mine == null || stream == null ? -1 : mine.indexIn(stream.handle);
        if (index >= 0) {
            stream.complete(index, a.complete());
            return null;
        }
        if (mine != null && mine.size() >= MAX_STREAMS_PER_SESSION) {
            return "streams announced: " + mine.size() + " (expected: <= " + MAX_STREAMS_PER_SESSION + ")";
        }
        if (entries >= maxEntries) {
            return "tracker entries: " + entries + " (expected: < " + maxEntries + "; the tracker is full)";
        }
        if (mine == null) {
            mine = sessionHandles.add(h -> new SessionHoldings(peer, h));
            bySession.put(peer.sessionId(), mine);
        }
        if (stream == null) {
            stream = streamHandles.add(h -> new StreamEntry(a, h));
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
        entries++;
        return null;
    }

    void withdraw(long sessionId, ContentId id) {
        SessionHoldings mine = bySession.get(sessionId);
        StreamEntry stream = streams.get(id);
        int index = mine == null || stream == null ? -1 : mine.remove(stream.handle);
        if (index >= 0) {
            removeHolder(stream, index);
        }
    }

    /** Forgets everything a session announced: called when it closes or goes silent. */
    void removeSession(long sessionId) {
        SessionHoldings mine = bySession.remove(sessionId);
        if (mine == null) {
            return;
        }
        // removing one of this session's entries moves another session's holder, never one of this session's
        for (int slot = 0; slot < mine.slots(); slot++) {
            int stream = mine.streamAt(slot);
            if (stream >= 0) {
                removeHolder(streamHandles.get(stream), mine.indexAt(slot));
            }
        }
        sessionHandles.remove(mine.handle);
    }

    /**
     * Peers for a stream named by content id or, when {@code id} is null, by name (the name's content with
     * the most holders). A uniform random sample of at most {@code max}, never the asking session: a PEERS
     * message.
     */
    Message lookup(ContentId id, String name, int max, long askingSession) {
        StreamEntry stream = id != null ? streams.get(id) : mostHeld(name);
        if (stream == null) {
            return Peers.NOT_FOUND;
        }
        SessionHoldings asker = bySession.get(askingSession);
        int skip = asker == null ? -1 : asker.indexIn(stream.handle);
        if (sampleMarks.length < stream.holderCount()) {
            sampleMarks = new int[Math.max(stream.holderCount(), 2 * sampleMarks.length)];
            sampleGeneration = 0;
        }
        if (++sampleGeneration <= 0) { // fresh marks, or the counter wrapped: no stale mark may equal it
            Arrays.fill(sampleMarks, 0);
            sampleGeneration = 1;
        }
        int k = stream.sample(Math.min(max, Wire.MAX_PEERS_PER_LOOKUP), skip, random, sample, sampleMarks, sampleGeneration);
        byte[][] peers = new byte[k][];
        for (int i = 0; i < k; i++) {
            SessionHoldings holder = sessionHandles.get(stream.sessionAt(sample[i]));
            peers[i] = stream.completeAt(sample[i]) ? holder.asSeed : holder.asPartialHolder;
        }
        return Peers.ofEncoded(stream.contentId, stream.name, stream.size, stream.chunkSize, peers);
    }

    /** Streams whose name contains {@code filter} (case-insensitive), by name, fitting one control frame. */
    Streams list(String filter, int limit) {
        int max = Math.min(limit, Wire.MAX_STREAMS_PER_LIST);
        int budget = Wire.MAX_CONTROL_FRAME_BYTES - Frames.HEADER_BYTES - 2;
        List<Streams.Entry> out = new ArrayList<>();
        for (StreamEntry first : byName.values()) {
            if (!containsIgnoreCase(first.name, filter)) {
                continue;
            }
            for (StreamEntry s = first; s != null; s = s.nextWithSameName) {
                Streams.Entry e = new Streams.Entry(s.contentId, s.name, s.size, s.chunkSize, s.holderCount(), s.seedCount());
                budget -= Streams.entryBytes(e);
                if (out.size() >= max || budget < 0) {
                    return new Streams(out);
                }
                out.add(e);
            }
        }
        return new Streams(out);
    }

    int streamCount() {
        return streams.size();
    }

    long entryCount() {
        return entries;
    }

    long maxEntries() {
        return maxEntries;
    }

    int sessionCount() {
        return bySession.size();
    }

    private StreamEntry mostHeld(String name) {
        StreamEntry best = null;
        for (StreamEntry s = name == null ? null : byName.get(name); s != null; s = s.nextWithSameName) {
            if (best == null || s.seedCount() > best.seedCount()
                    || (s.seedCount() == best.seedCount() && s.holderCount() > best.holderCount())) {
                best = s;
            }
        }
        return best;
    }

    private void removeHolder(StreamEntry stream, int index) {
        int moved = stream.removeAt(index);
        if (moved >= 0) {
            sessionHandles.get(moved).put(stream.handle, index);
        }
        entries--;
        if (stream.holderCount() == 0) {
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

    /** {@code name.toLowerCase().contains(needle.toLowerCase())} without allocating per name. */
    private static boolean containsIgnoreCase(String name, String needle) {
        for (int i = 0, last = name.length() - needle.length(); i <= last; i++) {
            if (name.regionMatches(true, i, needle, 0, needle.length())) {
                return true;
            }
        }
        return false;
    }
}
