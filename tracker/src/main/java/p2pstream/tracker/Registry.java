package p2pstream.tracker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Wire;

/**
 * The tracker's in-memory map: content id to the peers holding it, plus a name index. Confined to the
 * registry loop's thread: sessions on other loops reach it only through tasks on that loop.
 */
final class Registry {
    /** Bounds one session's announcements, so one peer cannot fill the tracker's heap. */
    static final int MAX_STREAMS_PER_SESSION = 65_536;

    private final Map<ContentId, StreamEntry> streams = new HashMap<>();
    private final Map<String, List<StreamEntry>> byName = new HashMap<>();
    private final Map<Long, Map<ContentId, Holder>> bySession = new HashMap<>();
    private final SplittableRandom random = new SplittableRandom();
    private long entries;

    /** One stream and its holders; holders are kept in an array list for O(1) sampling and removal. */
    static final class StreamEntry {
        final ContentId contentId;
        final String name;
        final long size;
        final int chunkSize;
        final int chunkCount;
        final ArrayList<Holder> holders = new ArrayList<>(4);
        int seeds;

        StreamEntry(Announce a) {
            this.contentId = a.contentId();
            this.name = a.name();
            this.size = a.size();
            this.chunkSize = a.chunkSize();
            this.chunkCount = a.chunkCount();
        }
    }

    /** One peer's holding of one stream. */
    static final class Holder {
        final TrackerSession.Peer peer;
        final StreamEntry stream;
        int index;
        boolean complete;

        Holder(TrackerSession.Peer peer, StreamEntry stream) {
            this.peer = peer;
            this.stream = stream;
        }
    }

    /**
     * Records or updates a peer's holding. Returns null on success, or why it was refused.
     */
    String announce(TrackerSession.Peer peer, Announce a) {
        StreamEntry stream = streams.get(a.contentId());
        if (stream != null && (stream.size != a.size() || stream.chunkSize != a.chunkSize() || !stream.name.equals(a.name()))) {
            return "announce " + a.contentId().shortHex() + ": size/chunk size/name differ from earlier announcements"
                    + " (expected: " + stream.name + " " + stream.size + " bytes in " + stream.chunkSize + "-byte chunks)";
        }
        Map<ContentId, Holder> mine = bySession.computeIfAbsent(peer.sessionId(), k -> new HashMap<>());
        Holder holder = mine.get(a.contentId());
        if (holder == null) {
            if (mine.size() >= MAX_STREAMS_PER_SESSION) {
                return "streams announced: " + mine.size() + " (expected: <= " + MAX_STREAMS_PER_SESSION + ")";
            }
            if (stream == null) {
                stream = new StreamEntry(a);
                streams.put(a.contentId(), stream);
                byName.computeIfAbsent(a.name(), k -> new ArrayList<>(1)).add(stream);
            }
            holder = new Holder(peer, stream);
            holder.index = stream.holders.size();
            stream.holders.add(holder);
            mine.put(a.contentId(), holder);
            entries++;
        }
        boolean complete = a.complete();
        if (complete != holder.complete) {
            stream.seeds += complete ? 1 : -1;
            holder.complete = complete;
        }
        return null;
    }

    void withdraw(long sessionId, ContentId id) {
        Map<ContentId, Holder> mine = bySession.get(sessionId);
        Holder holder = mine == null ? null : mine.remove(id);
        if (holder != null) {
            remove(holder);
        }
    }

    /** Forgets everything a session announced: called when it closes or goes silent. */
    void removeSession(long sessionId) {
        Map<ContentId, Holder> mine = bySession.remove(sessionId);
        if (mine != null) {
            for (Holder h : mine.values()) {
                remove(h);
            }
        }
    }

    /**
     * Peers for a stream named by content id or, when {@code id} is null, by name (the name's content with
     * the most holders). A random sample of at most {@code max}, never the asking session.
     */
    Peers lookup(ContentId id, String name, int max, long askingSession) {
        StreamEntry stream = id != null ? streams.get(id) : mostHeld(name);
        if (stream == null) {
            return Peers.NOT_FOUND;
        }
        int limit = Math.min(max, Wire.MAX_PEERS_PER_LOOKUP);
        List<Peers.Entry> sample = new ArrayList<>(Math.min(limit, stream.holders.size()));
        int n = stream.holders.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // partial Fisher-Yates: the first k slots become a uniform sample
        for (int i = 0; i < n && sample.size() < limit; i++) {
            int j = i + random.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            Holder h = stream.holders.get(order[i]);
            if (h.peer.sessionId() != askingSession) {
                sample.add(new Peers.Entry(h.peer.address(), h.peer.peerId(), h.complete));
            }
        }
        return new Peers(stream.contentId, stream.name, stream.size, stream.chunkSize, sample);
    }

    /** Streams whose name contains {@code filter} (case-insensitive), by name, fitting one control frame. */
    Streams list(String filter, int limit) {
        String needle = filter.toLowerCase(Locale.ROOT);
        TreeMap<String, List<StreamEntry>> sorted = new TreeMap<>();
        for (Map.Entry<String, List<StreamEntry>> e : byName.entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).contains(needle)) {
                sorted.put(e.getKey(), e.getValue());
            }
        }
        int max = Math.min(limit, Wire.MAX_STREAMS_PER_LIST);
        int budget = Wire.MAX_CONTROL_FRAME_BYTES - Frames.HEADER_BYTES - 2;
        List<Streams.Entry> out = new ArrayList<>();
        for (List<StreamEntry> list : sorted.values()) {
            for (StreamEntry s : list) {
                Streams.Entry e = new Streams.Entry(s.contentId, s.name, s.size, s.chunkSize, s.holders.size(), s.seeds);
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

    int sessionCount() {
        return bySession.size();
    }

    private StreamEntry mostHeld(String name) {
        List<StreamEntry> list = name == null ? null : byName.get(name);
        if (list == null) {
            return null;
        }
        StreamEntry best = null;
        for (StreamEntry s : list) {
            if (best == null || s.seeds > best.seeds || (s.seeds == best.seeds && s.holders.size() > best.holders.size())) {
                best = s;
            }
        }
        return best;
    }

    private void remove(Holder h) {
        StreamEntry stream = h.stream;
        ArrayList<Holder> holders = stream.holders;
        Holder last = holders.remove(holders.size() - 1);
        if (last != h) {
            holders.set(h.index, last);
            last.index = h.index;
        }
        if (h.complete) {
            stream.seeds--;
        }
        entries--;
        if (holders.isEmpty()) {
            streams.remove(stream.contentId);
            List<StreamEntry> named = byName.get(stream.name);
            named.remove(stream);
            if (named.isEmpty()) {
                byName.remove(stream.name);
            }
        }
    }
}
