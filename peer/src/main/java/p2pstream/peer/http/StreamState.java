package p2pstream.peer.http;

import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Streams;
import p2pstream.peer.client.file.FileStream;
import p2pstream.peer.client.live.LiveStream;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.swarm.ViewerStream;

/**
 * What the gateway's pages and JSON show of one stream at one moment: what it is (from the tracker, or from its
 * manifest once open), who holds it, and, while the gateway has it open, how much is here and where, the rates in
 * and out, its readers, stalls and rejected chunks, and for a live stream its latency and skipped chunks. Taken on
 * the viewer's loop; immutable afterwards.
 *
 * @param holders  peers the tracker names as holding any of it (-1: not asked)
 * @param complete of those, holding all of it (-1: not asked; meaningless live)
 * @param peers    peers the open stream fetches from now
 * @param runs     chunks here, as {@code from, to} pairs (to exclusive), a file's first {@link #MAX_RUNS} runs
 * @param transportStream a live stream's chunks are MPEG-TS (HLS can be cut); null while unknown
 */
record StreamState(String name, ContentId contentId, boolean live, long size, int chunkSize, boolean open,
                   int holders, int complete, int peers, long hereBytes, int hereChunks, int chunks, int[] runs,
                   long receivedBytes, double receivedPerSecond, long sentBytes, double sentPerSecond, int readers,
                   int stalls, int rejected, long latencyMillis, int skipped, Boolean transportStream) {
    /** Runs of chunks shown: a bar a few hundred pixels wide shows no more. */
    static final int MAX_RUNS = 256;
    private static final int[] NONE = new int[0];

    /** A stream the tracker listed; {@code e} its entry if the gateway has it open, else null. */
    static StreamState of(Streams.Entry listed, OpenStream e) {
        StreamState tracker = new StreamState(listed.name(), listed.contentId(), listed.size() < 0,
                Math.max(-1, listed.size()), listed.chunkSize(), false, listed.peers(), listed.seeds(), 0, 0, 0,
                chunks(listed.size(), listed.chunkSize()), NONE, 0, 0, 0, 0, 0, 0, 0, -1, 0, null);
        return e == null ? tracker : open(e, tracker.holders, tracker.complete);
    }

    /** A stream the tracker looked up (found), not open here. */
    static StreamState of(Peers found) {
        int complete = 0;
        for (Peers.Entry p : found.peers()) {
            complete += p.complete() ? 1 : 0;
        }
        return new StreamState(found.name(), found.contentId(), found.size() < 0, Math.max(-1, found.size()),
                found.chunkSize(), false, found.peers().size(), complete, 0, 0, 0,
                chunks(found.size(), found.chunkSize()), NONE, 0, 0, 0, 0, 0, 0, 0, -1, 0, null);
    }

    /** A stream the gateway has open (its {@code stream} done); the tracker's counts if known, else -1. */
    static StreamState open(OpenStream e, int holders, int complete) {
        ViewerStream s = e.stream.join();
        long received = OpenStreams.receivedBytes(s);
        if (s instanceof FileStream f) {
            Manifest m = f.manifest();
            return new StreamState(m.name(), m.contentId(), false, m.size(), m.chunkSize(), true, holders, complete,
                    f.readyPeers(), f.inPlaceBytes(), f.arrivals().count(), m.chunkCount(),
                    f.arrivals().runs(MAX_RUNS), received, e.received.perSecond(), e.sentBytes, e.sent.perSecond(),
                    e.readers, e.stalls, f.hashFailures(), -1, 0, null);
        }
        LiveStream l = (LiveStream) s;
        return new StreamState(l.name(), l.contentId(), true, -1, 0, true, holders, -1, l.readyPeers(), 0, 0, 0,
                NONE, received, e.received.perSecond(), e.sentBytes, e.sent.perSecond(), e.readers, e.stalls,
                l.signatureFailures(), e.latencyMillis, l.counts().skipped(), e.transportStream);
    }

    private static int chunks(long size, int chunkSize) {
        return size <= 0 || chunkSize <= 0 ? 0 : (int) ((size + chunkSize - 1) / chunkSize);
    }

    /** The fraction of the file here, 0..1; 0 for a live stream. */
    double hereFraction() {
        return live || size <= 0 ? 0 : Math.min(1, (double) hereBytes / size);
    }

    /** The runs here as fractions of the file, {@code from, to} pairs. */
    double[] runFractions() {
        double[] out = new double[runs.length];
        for (int i = 0; i < runs.length; i++) {
            out[i] = chunks == 0 ? 0 : (double) runs[i] / chunks;
        }
        return out;
    }
}
