package p2pstream.peer.playback;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import p2pstream.peer.store.LiveChunk;

/**
 * Cuts a live MPEG-TS stream into HLS segments as its chunks come: each segment starts on a video key frame with
 * the stream's PAT and PMT in front, so a player can start from any of them, and lasts at least the target
 * duration (by the chunks' publish times); the last few are kept for a sliding-window playlist. A gap (a skipped
 * chunk) ends the segment under way and the next starts at the next key frame. A stream that is not MPEG-TS makes
 * no segment. The playlist's target duration never changes (RFC 8216 4.3.3.1): a stream whose key frames are
 * further apart than it allows is cut between key frames as well ({@link #FORCED_CUT_MARGIN_MICROS}). The viewer's
 * loop thread (it is one of a live stream's readers).
 */
public final class HlsSegmenter implements LiveReader {
    /** Segments kept for the playlist: about this many times the target of stream a player can start from. */
    public static final int KEPT = 6;
    /** The playlist's target duration, in targets: room for key frames up to this far apart. */
    static final int TARGET_DURATION_TARGETS = 3;
    /**
     * A segment without a key frame this long before the target duration is cut anyway (the next one then starts
     * mid-picture, with the tables in front): one chunk more still rounds to the target duration.
     */
    static final long FORCED_CUT_MARGIN_MICROS = 1_000_000;
    /**
     * A segment holding this much is cut whatever the publish times say: KEPT of them bound a stream's memory even
     * when a publisher's clock stands still.
     */
    static final long MAX_SEGMENT_BYTES = 16L << 20;

    /** One segment: its media sequence number, its duration in seconds, and its bytes (tables first). */
    public record Segment(long sequence, double seconds, List<ByteBuffer> parts) {
        /** The segment's bytes, each part a fresh view: any number of responses may send it. */
        public List<ByteBuffer> views() {
            List<ByteBuffer> out = new ArrayList<>(parts.size());
            for (ByteBuffer p : parts) {
                out.add(p.duplicate());
            }
            return out;
        }

        public long bytes() {
            long n = 0;
            for (ByteBuffer p : parts) {
                n += p.remaining();
            }
            return n;
        }
    }

    private final long targetMicros;
    /** EXT-X-TARGETDURATION, whole seconds, fixed for the stream's life. */
    private final long targetDurationSeconds;
    private final long forcedCutMicros;
    private final TransportStream ts = new TransportStream();
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private List<ByteBuffer> current;
    private long currentStartMicros;
    private long currentBytes;
    private long nextSequence;
    private boolean ended;
    private boolean transportStream = true;

    /** True when {@code chunk} (a live stream's first, say) is MPEG-TS, so HLS segments can be cut from it. */
    public static boolean isTransportStream(ByteBuffer chunk) {
        return TransportStream.isTransportStream(chunk);
    }

    public HlsSegmenter(double targetSeconds) {
        this.targetMicros = (long) (targetSeconds * 1_000_000);
        this.targetDurationSeconds = (long) Math.ceil(TARGET_DURATION_TARGETS * targetSeconds);
        // never below the target itself: a short target must not cut at every chunk
        this.forcedCutMicros = Math.max(targetMicros, targetDurationSeconds * 1_000_000 - FORCED_CUT_MARGIN_MICROS);
    }

    @Override
    public boolean offer(LiveChunk chunk, boolean measured, boolean resync) {
        ByteBuffer b = chunk.bytes();
        if (!TransportStream.isTransportStream(b)) {
            transportStream = false;
            return true;
        }
        ts.observe(b);
        if (resync) {
            current = null; // a gap: what was cut so far no longer continues into this chunk
        }
        int start = ts.startOffset(b);
        if (current == null) {
            if (start >= 0) {
                begin(b, start, chunk.publishMicros());
            }
            return true;
        }
        long length = chunk.publishMicros() - currentStartMicros;
        if (start >= 0 && length >= targetMicros) {
            if (start > 0) {
                current.add(b.duplicate().limit(b.position() + start));
            }
            close(chunk.publishMicros());
            begin(b, start, chunk.publishMicros());
        } else if (length >= forcedCutMicros || currentBytes + b.remaining() > MAX_SEGMENT_BYTES) {
            close(chunk.publishMicros());
            begin(b, 0, chunk.publishMicros());
        } else {
            current.add(b);
            currentBytes += b.remaining();
        }
        return true;
    }

    private void begin(ByteBuffer b, int start, long publishMicros) {
        current = new ArrayList<>();
        current.add(ts.tables());
        current.add(b.duplicate().position(b.position() + start));
        currentBytes = b.remaining() - start;
        currentStartMicros = publishMicros;
    }

    private void close(long endMicros) {
        // publish times measure media time only while the input flows: a segment across a stall of the input is
        // said to last the target duration at most, as the playlist promises
        double seconds = Math.min(targetDurationSeconds, Math.max(0.001, (endMicros - currentStartMicros) / 1e6));
        segments.addLast(new Segment(nextSequence++, seconds, List.copyOf(current)));
        while (segments.size() > KEPT) {
            segments.removeFirst();
        }
        current = null;
    }

    @Override
    public void finish() {
        if (current != null) {
            close(currentStartMicros + targetMicros); // the last piece: its length is not known, the target is close
        }
        ended = true;
    }

    /** True once the stream ended: no segment comes after the kept ones. */
    public boolean isEnded() {
        return ended;
    }

    /** True when the stream is MPEG-TS as far as seen (else there is nothing to segment). */
    public boolean isTransportStream() {
        return transportStream;
    }

    /** The segment of this sequence number while it is kept, else null. */
    public Segment segment(long sequence) {
        for (Segment s : segments) {
            if (s.sequence() == sequence) {
                return s;
            }
        }
        return null;
    }

    public int segmentCount() {
        return segments.size();
    }

    /**
     * The playlist of the kept segments, each as {@code prefix + SEQ + ".ts"}: version 3, the target duration
     * (the same in every playlist), the first kept sequence number, and the end once the stream ended.
     */
    public String playlist(String prefix) {
        StringBuilder sb = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:")
                .append(targetDurationSeconds).append('\n');
        sb.append("#EXT-X-MEDIA-SEQUENCE:").append(segments.isEmpty() ? nextSequence : segments.peekFirst().sequence())
                .append('\n');
        for (Segment s : segments) {
            sb.append(String.format(Locale.ROOT, "#EXTINF:%.3f,", s.seconds())).append('\n').append(prefix)
                    .append(s.sequence()).append(".ts\n");
        }
        if (ended) {
            sb.append("#EXT-X-ENDLIST\n");
        }
        return sb.toString();
    }
}
