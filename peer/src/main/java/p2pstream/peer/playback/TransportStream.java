package p2pstream.peer.playback;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * Just enough MPEG-TS to start a decoder cleanly in the middle of a live stream: it follows the PAT and PMT
 * to learn the video PIDs, keeps the latest PAT and PMT packets, and finds the next video packet a decoder can
 * start from (random access indicator on a payload start, set by muxers on key frames). A viewer that joins
 * late, or skips a chunk, writes those tables and then the stream from that packet, so the output decodes
 * without errors. Not thread-safe: the player thread only.
 *
 * <pre>packet: &lt;0x47&gt;&lt;PUSI:1 PID:13 (with 2 other bits)&gt;&lt;scrambling:2 adaptation:2 counter:4&gt;
 *         [&lt;af length&gt;&lt;flags: 0x40 = random access&gt;...]&lt;payload&gt;</pre>
 */
final class TransportStream {
    static final int PACKET_BYTES = 188;
    private static final int SYNC = 0x47;
    /** MPEG-1/2 video, MPEG-4 part 2, H.264, HEVC, VVC: the stream types a decoder must start on a key frame of. */
    private static final Set<Integer> VIDEO_TYPES = Set.of(0x01, 0x02, 0x10, 0x1B, 0x24, 0x33);

    private final Set<Integer> videoPids = new HashSet<>();
    private byte[] pat;
    private byte[] pmt;
    private int pmtPid = -1;
    private boolean pmtSeen;

    /** True when {@code chunk} is whole MPEG-TS packets (the publisher cuts TS input on packet boundaries). */
    static boolean isTransportStream(ByteBuffer chunk) {
        int n = chunk.remaining();
        int p = chunk.position();
        return n > 0 && n % PACKET_BYTES == 0 && (chunk.get(p) & 0xff) == SYNC
                && (n == PACKET_BYTES || (chunk.get(p + PACKET_BYTES) & 0xff) == SYNC);
    }

    /** Learns the PAT and PMT from {@code chunk}'s packets (the chunk is not consumed). */
    void observe(ByteBuffer chunk) {
        for (int at = chunk.position(); at + PACKET_BYTES <= chunk.limit(); at += PACKET_BYTES) {
            int pid = pid(chunk, at);
            if (pid == 0 && payloadStart(chunk, at)) {
                pat = copy(chunk, at);
                pmtPid = firstProgramPid(chunk, at);
            } else if (pid == pmtPid && payloadStart(chunk, at)) {
                pmt = copy(chunk, at);
                readStreams(chunk, at);
            }
        }
    }

    /**
     * The offset in {@code chunk} (from its position) of the first packet a decoder can start from, or -1: a
     * key frame's first packet on a video PID, or on any PID when the program has no video.
     */
    int startOffset(ByteBuffer chunk) {
        if (!pmtSeen) {
            return -1;
        }
        for (int at = chunk.position(); at + PACKET_BYTES <= chunk.limit(); at += PACKET_BYTES) {
            int pid = pid(chunk, at);
            if ((videoPids.isEmpty() || videoPids.contains(pid)) && payloadStart(chunk, at)
                    && randomAccess(chunk, at)) {
                return at - chunk.position();
            }
        }
        return -1;
    }

    /** The latest PAT and PMT packets, to write before the start packet. */
    ByteBuffer tables() {
        ByteBuffer b = ByteBuffer.allocate(2 * PACKET_BYTES);
        b.put(pat).put(pmt);
        return b.flip();
    }

    private static int pid(ByteBuffer b, int at) {
        return ((b.get(at + 1) & 0x1f) << 8) | (b.get(at + 2) & 0xff);
    }

    private static boolean payloadStart(ByteBuffer b, int at) {
        return (b.get(at + 1) & 0x40) != 0;
    }

    private static boolean randomAccess(ByteBuffer b, int at) {
        boolean adaptation = (b.get(at + 3) & 0x20) != 0;
        return adaptation && (b.get(at + 4) & 0xff) > 0 && (b.get(at + 5) & 0x40) != 0;
    }

    /**
     * Where a table section starts in a packet with a payload start: after the header, adaptation field and pointer.
     */
    private static int sectionStart(ByteBuffer b, int at) {
        int p = at + 4;
        if ((b.get(at + 3) & 0x20) != 0) {
            p += 1 + (b.get(at + 4) & 0xff);
        }
        if (p >= at + PACKET_BYTES) {
            return -1;
        }
        p += 1 + (b.get(p) & 0xff); // pointer field
        return p + 3 <= at + PACKET_BYTES ? p : -1;
    }

    private static int sectionEnd(ByteBuffer b, int section, int at) {
        int length = ((b.get(section + 1) & 0x0f) << 8) | (b.get(section + 2) & 0xff);
        return Math.min(at + PACKET_BYTES, section + 3 + length - 4); // the CRC is not an entry
    }

    private static int firstProgramPid(ByteBuffer b, int at) {
        int s = sectionStart(b, at);
        if (s < 0 || b.get(s) != 0x00) {
            return -1;
        }
        int end = sectionEnd(b, s, at);
        for (int e = s + 8; e + 4 <= end; e += 4) {
            int program = ((b.get(e) & 0xff) << 8) | (b.get(e + 1) & 0xff);
            if (program != 0) {
                return ((b.get(e + 2) & 0x1f) << 8) | (b.get(e + 3) & 0xff);
            }
        }
        return -1;
    }

    private void readStreams(ByteBuffer b, int at) {
        int s = sectionStart(b, at);
        if (s < 0 || b.get(s) != 0x02 || s + 12 > at + PACKET_BYTES) {
            return;
        }
        int end = sectionEnd(b, s, at);
        int infoLength = ((b.get(s + 10) & 0x0f) << 8) | (b.get(s + 11) & 0xff);
        videoPids.clear();
        for (int e = s + 12 + infoLength; e + 5 <= end; ) {
            int type = b.get(e) & 0xff;
            int pid = ((b.get(e + 1) & 0x1f) << 8) | (b.get(e + 2) & 0xff);
            int esInfo = ((b.get(e + 3) & 0x0f) << 8) | (b.get(e + 4) & 0xff);
            if (VIDEO_TYPES.contains(type)) {
                videoPids.add(pid);
            }
            e += 5 + esInfo;
        }
        pmtSeen = pat != null;
    }

    private static byte[] copy(ByteBuffer b, int at) {
        byte[] packet = new byte[PACKET_BYTES];
        b.get(at, packet);
        return packet;
    }
}
