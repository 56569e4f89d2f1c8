package p2pstream.peer.playback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.peer.store.LiveChunk;

/** Where a live MPEG-TS stream is cut into HLS segments, and what the playlist promises about them. */
class HlsSegmenterTest {
    private static final int PACKET = TransportStream.PACKET_BYTES;
    private static final int VIDEO_PID = 0x100;
    private static final long CHUNK_MICROS = 250_000;
    private static final Pattern TARGET = Pattern.compile("#EXT-X-TARGETDURATION:(\\d+)");
    private static final Pattern EXTINF = Pattern.compile("#EXTINF:([0-9.]+),");

    @Test
    void segmentsStartOnKeyFramesAfterTheTargetWithTheTablesInFront() {
        HlsSegmenter hls = new HlsSegmenter(2.0);
        feed(hls, 0, 40, 4); // a key frame every second, 10 s of stream
        assertEquals(4, hls.segmentCount());
        for (int i = 0; i < hls.segmentCount(); i++) {
            HlsSegmenter.Segment s = hls.segment(i);
            assertEquals(2.0, s.seconds(), 1e-9, "segment " + i);
            ByteBuffer all = concat(s);
            assertEquals(0, pid(all, 0), "PAT first");
            assertEquals(0x10, pid(all, PACKET), "PMT second");
            assertTrue(isKeyFrame(all, 2 * PACKET), "the segment's media starts on a key frame");
        }
    }

    @Test
    void theTargetDurationNeverChangesAndNoSegmentExceedsIt() {
        HlsSegmenter hls = new HlsSegmenter(2.0);
        Set<String> targets = new HashSet<>();
        int index = feed(hls, 0, 20, 4);
        targets.add(target(hls));
        index = feed(hls, index, 80, 40); // key frames 10 s apart: longer than any segment may last
        targets.add(target(hls));
        feed(hls, index, 20, 4);
        targets.add(target(hls));
        assertEquals(Set.of("6"), targets, "EXT-X-TARGETDURATION in successive playlists");
        Matcher m = EXTINF.matcher(hls.playlist("x/"));
        int segments = 0;
        while (m.find()) {
            assertTrue(Math.round(Double.parseDouble(m.group(1))) <= 6, "EXTINF " + m.group(1) + " rounds above 6");
            segments++;
        }
        assertEquals(HlsSegmenter.KEPT, segments);
    }

    @Test
    void aSegmentAcrossAStallOfTheInputIsSaidToLastTheTargetDurationAtMost() {
        HlsSegmenter hls = new HlsSegmenter(2.0);
        int index = feed(hls, 0, 6, 4);
        long late = index * CHUNK_MICROS + 60_000_000; // a minute without input, then a key frame
        hls.offer(chunk(index, late, true), true, false);
        assertEquals(1, hls.segmentCount());
        assertEquals(6.0, hls.segment(0).seconds(), 1e-9);
    }

    @Test
    void aSegmentIsCutAtItsByteBoundEvenWhenThePublishTimesStandStill() {
        HlsSegmenter hls = new HlsSegmenter(2.0);
        int chunks = (int) (3 * HlsSegmenter.MAX_SEGMENT_BYTES / (4 * PACKET));
        for (int i = 0; i < chunks; i++) {
            hls.offer(chunk(i, 0, i == 0), true, false); // every chunk published at the same instant
        }
        assertTrue(hls.segmentCount() >= 2, "segments: " + hls.segmentCount());
        for (int i = 0; i < hls.segmentCount(); i++) {
            assertTrue(hls.segment(i).bytes() <= HlsSegmenter.MAX_SEGMENT_BYTES + 2 * PACKET,
                    "segment " + i + ": " + hls.segment(i).bytes() + " bytes");
        }
    }

    /** Offers {@code count} chunks from {@code first}, 250 ms apart, a key frame every {@code keyEvery}. */
    private static int feed(HlsSegmenter hls, int first, int count, int keyEvery) {
        for (int i = first; i < first + count; i++) {
            hls.offer(chunk(i, i * CHUNK_MICROS, (i - first) % keyEvery == 0), true, false);
        }
        return first + count;
    }

    private static String target(HlsSegmenter hls) {
        Matcher m = TARGET.matcher(hls.playlist("x/"));
        assertTrue(m.find(), "no target duration");
        return m.group(1);
    }

    /** A chunk of a PAT, a PMT with one H.264 stream, and two video packets, the first a key frame or not. */
    private static LiveChunk chunk(int index, long publishMicros, boolean keyFrame) {
        ByteBuffer b = ByteBuffer.allocate(4 * PACKET);
        b.put(pat()).put(pmt()).put(video(keyFrame)).put(video(false));
        return new LiveChunk(new LiveChunkHeader(index, publishMicros, new byte[LiveChunkHeader.SIGNATURE_BYTES]),
                b.flip());
    }

    private static byte[] pat() {
        byte[] p = packet(0, true, false);
        // pointer, table 0, length 13, stream id, version, section numbers, program 1 -> PMT PID 0x10, CRC
        put(p, 4, 0x00, 0x00, 0xB0, 13, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xE0, 0x10, 0, 0, 0, 0);
        return p;
    }

    private static byte[] pmt() {
        byte[] p = packet(0x10, true, false);
        // pointer, table 2, length 18, program 1, version, sections, PCR PID, no program info, H.264 on
        // VIDEO_PID with no ES info, CRC
        put(p, 4, 0x00, 0x02, 0xB0, 18, 0x00, 0x01, 0xC1, 0x00, 0x00, 0xE1, 0x00, 0xF0, 0x00,
                0x1B, 0xE1, 0x00, 0xF0, 0x00, 0, 0, 0, 0);
        return p;
    }

    private static byte[] video(boolean keyFrame) {
        return packet(VIDEO_PID, keyFrame, keyFrame);
    }

    private static byte[] packet(int pid, boolean payloadStart, boolean randomAccess) {
        byte[] p = new byte[PACKET];
        p[0] = 0x47;
        p[1] = (byte) ((payloadStart ? 0x40 : 0) | (pid >> 8));
        p[2] = (byte) pid;
        if (randomAccess) {
            p[3] = 0x30; // adaptation field and payload
            p[4] = 1;
            p[5] = 0x40; // random access indicator
        } else {
            p[3] = 0x10;
        }
        return p;
    }

    private static void put(byte[] p, int at, int... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            p[at + i] = (byte) bytes[i];
        }
    }

    private static int pid(ByteBuffer b, int at) {
        return (b.get(at + 1) & 0x1f) << 8 | (b.get(at + 2) & 0xff);
    }

    private static boolean isKeyFrame(ByteBuffer b, int at) {
        return pid(b, at) == VIDEO_PID && (b.get(at + 5) & 0x40) != 0;
    }

    private static ByteBuffer concat(HlsSegmenter.Segment s) {
        ByteBuffer all = ByteBuffer.allocate((int) s.bytes());
        for (ByteBuffer part : s.views()) {
            all.put(part);
        }
        return all.flip();
    }
}
