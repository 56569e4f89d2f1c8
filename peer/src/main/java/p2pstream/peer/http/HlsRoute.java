package p2pstream.peer.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import p2pstream.common.data.BufferData;
import p2pstream.common.http.HttpExchange;
import p2pstream.common.http.HttpHandler;
import p2pstream.common.http.HttpHeaders;
import p2pstream.peer.client.live.LiveStream;
import p2pstream.peer.playback.HlsSegmenter;

/**
 * HLS for live streams, so a browser's {@code <video>} plays them: {@code /hls/NAME.m3u8} is a sliding-window
 * playlist and {@code /hls/NAME/SEQ.ts} its segments, cut at key frames with the tables in front by an
 * {@link HlsSegmenter} that reads the stream beside the gateway's other readers. The first playlist of a stream
 * waits (some seconds at most) until it lists {@link #FIRST_PLAYLIST_SEGMENTS} segments. The viewer's loop thread.
 */
final class HlsRoute implements HttpHandler {
    static final String PREFIX = "/hls/";
    /** Segments last about this long: a player buffers two or three, so about the stream's latency again. */
    static final double TARGET_SECONDS = 2.0;
    /**
     * Segments the first playlist waits for: Chromium's native HLS player starts a live playlist some segments from
     * its end and fails (DEMUXER_ERROR_COULD_NOT_PARSE, "Segment queue never had any data") on one of 1 or 2
     * segments; it plays one of 3 (BrowserE2ETest). RFC 8216 6.3.3 has clients start 3 target durations from the end.
     */
    static final int FIRST_PLAYLIST_SEGMENTS = 3;
    /** At most this long for them: 3 segments of at least TARGET_SECONDS each, cut at key frames after it. */
    static final long FIRST_PLAYLIST_WAIT_MILLIS = 20_000;
    private static final long POLL_MILLIS = 100;
    private static final String PLAYLIST_TYPE = "application/vnd.apple.mpegurl";

    private final OpenStreams streams;

    HlsRoute(OpenStreams streams) {
        this.streams = streams;
    }

    @Override
    public void onRequest(HttpExchange ex) {
        String rest = ex.request().path().substring(PREFIX.length());
        if (rest.endsWith(".m3u8") && rest.length() > ".m3u8".length()) {
            String name = rest.substring(0, rest.length() - ".m3u8".length());
            long askedNanos = ex.loop().nanoTime();
            withSegmenter(ex, name, (entry, hls) -> playlist(ex, name, hls, askedNanos));
            return;
        }
        int slash = rest.lastIndexOf('/');
        String file = slash < 0 ? "" : rest.substring(slash + 1);
        long sequence = file.endsWith(".ts") ? parseSequence(file.substring(0, file.length() - 3)) : -1;
        if (sequence < 0) {
            ex.respond(404, "text/plain; charset=utf-8", "hls: " + rest + " (expected: NAME.m3u8 or NAME/SEQ.ts)\n");
            return;
        }
        withSegmenter(ex, rest.substring(0, slash), (entry, hls) -> segment(ex, entry, hls, sequence));
    }

    /** Runs {@code then} with the stream's segmenter once the stream is open (made at the first HLS request). */
    private void withSegmenter(HttpExchange ex, String name, BiConsumer<OpenStream, HlsSegmenter> then) {
        OpenStream asked = streams.open(name);
        asked.stream.whenComplete((s, error) -> ex.loop().execute(() -> {
            if (!ex.isOpen()) {
                return;
            }
            if (error != null) {
                StreamRoute.refuse(ex, name, error);
            } else if (!(s instanceof LiveStream)) {
                ex.respond(404, "text/plain; charset=utf-8", "stream " + name + ": not live (expected: a live stream;"
                        + " a file is at /stream/" + name + ")\n");
            } else {
                OpenStream entry = asked.resolved();
                if (entry.hls == null) {
                    entry.hls = new HlsSegmenter(TARGET_SECONDS);
                    entry.liveReaders.add(entry.hls);
                }
                then.accept(entry, entry.hls);
            }
        }));
    }

    private void playlist(HttpExchange ex, String name, HlsSegmenter hls, long askedNanos) {
        if (!ex.isOpen()) {
            return;
        }
        boolean waited = ex.loop().nanoTime() - askedNanos > FIRST_PLAYLIST_WAIT_MILLIS * 1_000_000;
        if (hls.segmentCount() < FIRST_PLAYLIST_SEGMENTS && !hls.isEnded() && hls.isTransportStream() && !waited) {
            ex.loop().schedule(POLL_MILLIS, () -> playlist(ex, name, hls, askedNanos));
            return;
        }
        if (!hls.isTransportStream()) {
            ex.respond(415, "text/plain; charset=utf-8", "stream " + name + ": not MPEG-TS (expected: MPEG-TS to cut"
                    + " into HLS segments; /stream/" + name + " plays it as it is)\n");
            return;
        }
        String last = name.substring(name.lastIndexOf('/') + 1);
        byte[] text = hls.playlist(PathSegment.encode(last) + "/").getBytes(StandardCharsets.UTF_8);
        HttpHeaders headers = new HttpHeaders().add("Content-Type", PLAYLIST_TYPE).add("Cache-Control", "no-store");
        ex.respond(200, headers, text.length);
        ex.send(BufferData.of(ByteBuffer.wrap(text)));
        ex.end();
        streams.onFirstByte(askedNanos);
    }

    private void segment(HttpExchange ex, OpenStream entry, HlsSegmenter hls, long sequence) {
        HlsSegmenter.Segment s = hls.segment(sequence);
        if (s == null) {
            ex.respond(404, "text/plain; charset=utf-8", "segment " + sequence + ": not kept (expected: one of the"
                    + " playlist's)\n");
            return;
        }
        ex.respond(200, new HttpHeaders().add("Content-Type", "video/mp2t"), s.bytes());
        if (!ex.request().isHead()) {
            streams.onSent(entry, s.bytes());
        }
        for (ByteBuffer part : s.views()) {
            ex.send(BufferData.of(part));
        }
        ex.end();
    }

    private static long parseSequence(String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(text);
    }
}
