package p2pstream.peer.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Reject;

/**
 * What the peer-server's page and {@code /api/status} show, taken at one moment from thread-safe figures: how far
 * the hashing at start has got (until it serves), what it sent and rejected, the peers it serves now, the shared
 * files a filter picks (the first {@link #MAX_SHOWN}) with what each was served, its live publication, and the
 * invite links this run made and nobody redeemed yet (null: not shown, as the page is served beyond loopback, where a
 * link would let anyone who sees the page in). Immutable once taken; any thread.
 */
record PeerServerStatus(String peerId, String address, boolean ready, long startupFiles, long startupFilesDone,
                        long startupBytes, long startupBytesDone, int sessions, int connections, long sentBytes,
                        long chunks, Map<String, Long> rejected, String filter, int files, long fileBytes,
                        int matching, List<FileRow> shown, LiveRow live,
                        List<Redemptions.Shown> invites) {
    /** A page shows at most this many files: it stays a few hundred KiB whatever the directory holds. */
    static final int MAX_SHOWN = 500;

    /** One shared file: what it is, and what was served of it while shared. */
    record FileRow(String name, ContentId contentId, long size, int chunks, long sentBytes, long chunksServed,
                   int peers) {
    }

    /** The live stream published: viewers told of new chunks, chunks published, what was served of it. */
    record LiveRow(String name, ContentId contentId, int chunkSize, int viewers, long chunksPublished,
                   long sentBytes, long chunksServed, int peers) {
    }

    /** The figures now; {@code server} is null while the files are hashed at start. */
    static PeerServerStatus take(PeerServer server, PeerServerMetrics m, String filter, boolean showInvites) {
        HashProgress h = m.hashing();
        Map<String, Long> rejected = new LinkedHashMap<>();
        for (Reject.Reason r : Reject.Reason.values()) {
            rejected.put(PeerServerMetrics.label(r), m.rejected(r));
        }
        List<FileRow> shown = new ArrayList<>();
        int files = 0;
        int matching = 0;
        long fileBytes = 0;
        LiveRow live = null;
        if (server != null) {
            for (ServedStream s : server.files()) {
                files++;
                fileBytes += s.manifest().size();
                if (!contains(s.manifest().name(), filter)) {
                    continue;
                }
                if (matching++ < MAX_SHOWN) {
                    shown.add(fileRow(s, m.figures(s)));
                }
            }
            live = server.live() == null ? null : liveRow(server.live(), m.figures(server.live()));
        }
        InetSocketAddress a = server == null ? null : server.address();
        return new PeerServerStatus(server == null ? null : server.peerId().toString(),
                a == null ? null : a.getAddress().getHostAddress() + ":" + a.getPort(), server != null, h.files(),
                h.filesDone(), h.bytes(), h.bytesDone(), m.sessions(), server == null ? 0 : server.connectionCount(),
                m.sentBytes(), m.chunks(), Collections.unmodifiableMap(rejected), filter, files, fileBytes, matching,
                List.copyOf(shown), live, !showInvites ? null : server == null || server.redemptions() == null
                        ? List.of() : server.redemptions().links());
    }

    long rejectedCount() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }

    private static FileRow fileRow(ServedStream s, StreamFigures f) {
        return new FileRow(s.manifest().name(), s.manifest().contentId(), s.manifest().size(),
                s.manifest().chunkCount(), f == null ? 0 : f.sentBytes(), f == null ? 0 : f.chunks(),
                f == null ? 0 : f.peers());
    }

    private static LiveRow liveRow(LiveHolding l, StreamFigures f) {
        return new LiveRow(l.name(), l.manifest().contentId(), l.manifest().chunkSize(), l.subscriberCount(),
                l.window().newest() + 1, f == null ? 0 : f.sentBytes(), f == null ? 0 : f.chunks(),
                f == null ? 0 : f.peers());
    }

    /** {@code name} contains {@code filter}, case ignored. */
    private static boolean contains(String name, String filter) {
        for (int i = 0; i + filter.length() <= name.length(); i++) {
            if (name.regionMatches(true, i, filter, 0, filter.length())) {
                return true;
            }
        }
        return false;
    }
}
