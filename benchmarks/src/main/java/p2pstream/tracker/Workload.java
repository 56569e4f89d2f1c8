package p2pstream.tracker;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Message;

/**
 * The streams {@link TrackerLoad} announces and looks up, with their frames encoded once: "hold" streams that
 * every session announces one of on connect (so each has sessions / streams holders), and "churn" streams the
 * ANNOUNCE phase adds and updates. Thread-safe (immutable; each frame is handed out as a fresh view).
 */
final class Workload {
    static final int CHUNK_BYTES = 256 * 1024;
    static final int CHUNKS = 4;
    static final int LOOKUP_PEERS = 50;
    /** Churn streams each session cycles through in the ANNOUNCE phase. */
    static final int CHURN_POOL = 8;
    static final String PREFIX = "load/";

    private final int sessions;
    private final int holdStreams;
    private final int churnStreams;
    private final byte[][] announceHold;
    private final byte[][] lookup;
    private final byte[][][] announceChurn;
    private final byte[][] confirm;
    private final byte[] list;
    private final int maxOpBytes;

    Workload(int sessions, int holdStreams, int churnStreams) {
        this.sessions = sessions;
        this.holdStreams = holdStreams;
        this.churnStreams = churnStreams;
        announceHold = new byte[holdStreams][];
        lookup = new byte[holdStreams][];
        for (int s = 0; s < holdStreams; s++) {
            ContentId id = contentId(1, s);
            announceHold[s] = encode(new Announce(id, String.format("%shold-%05d.ts", PREFIX, s),
                    (long) CHUNKS * CHUNK_BYTES, CHUNK_BYTES, CHUNKS, CHUNKS));
            lookup[s] = encode(Lookup.byContentId(id, LOOKUP_PEERS));
        }
        announceChurn = new byte[churnStreams][CHUNKS + 1][];
        confirm = new byte[churnStreams][];
        for (int s = 0; s < churnStreams; s++) {
            ContentId id = contentId(2, s);
            for (int held = 0; held <= CHUNKS; held++) {
                announceChurn[s][held] = encode(new Announce(id, String.format("%schurn-%05d.ts", PREFIX, s),
                        (long) CHUNKS * CHUNK_BYTES, CHUNK_BYTES, CHUNKS, held));
            }
            confirm[s] = encode(Lookup.byContentId(id, 0));
        }
        list = encode(new ListStreams(PREFIX + "hold-", 1000));
        int most = 0;
        for (int s = 0; s < holdStreams; s++) {
            most = Math.max(most, lookup[s].length);
        }
        for (int s = 0; s < churnStreams; s++) {
            most = Math.max(most, announceChurn[s][0].length + confirm[s].length);
        }
        maxOpBytes = most;
    }

    int holdStreams() {
        return holdStreams;
    }

    /** The hold stream session {@code session} announces on connect. */
    int holdStream(int session) {
        return session % holdStreams;
    }

    /** Sessions holding hold stream {@code s}. */
    int holders(int s) {
        return sessions / holdStreams + (s < sessions % holdStreams ? 1 : 0);
    }

    int churnStream(int session, int announcement) {
        return (int) (((long) session * CHURN_POOL + announcement % CHURN_POOL) % churnStreams);
    }

    ByteBuffer announceHoldFrame(int s) {
        return ByteBuffer.wrap(announceHold[s]);
    }

    ByteBuffer lookupFrame(int s) {
        return ByteBuffer.wrap(lookup[s]);
    }

    /** ANNOUNCE of churn stream {@code s}; {@code round} picks how much of it is held, so the seed bit flips. */
    ByteBuffer announceChurnFrame(int s, int round) {
        return ByteBuffer.wrap(announceChurn[s][round % (CHUNKS + 1)]);
    }

    /** LOOKUP of churn stream {@code s} for no peers: its answer says the ANNOUNCE before it was applied. */
    ByteBuffer confirmFrame(int s) {
        return ByteBuffer.wrap(confirm[s]);
    }

    /** The most bytes one operation sends: an ANNOUNCE and its confirming LOOKUP. */
    int maxOpBytes() {
        return maxOpBytes;
    }

    ByteBuffer listFrame() {
        return ByteBuffer.wrap(list);
    }

    /** Random-looking, as SHA-256 ids are (patterned ids would crowd a few of the tracker's hash buckets). */
    private static ContentId contentId(int kind, int s) {
        SplittableRandom r = new SplittableRandom(((long) kind << 32) + s);
        return new ContentId(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong());
    }

    private static byte[] encode(Message m) {
        ByteBuffer b = Frames.encode(m);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
