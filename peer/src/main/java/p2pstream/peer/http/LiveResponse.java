package p2pstream.peer.http;

import java.nio.ByteBuffer;
import p2pstream.common.data.BufferData;
import p2pstream.common.http.HttpExchange;
import p2pstream.peer.playback.LiveReader;
import p2pstream.peer.playback.LiveReaders;
import p2pstream.peer.playback.TsResync;
import p2pstream.peer.store.LiveChunk;

/**
 * One HTTP response with a live stream: an endless chunked body, starting (and restarting after a chunk it had
 * to drop) on a key frame with the stream's tables in front, so VLC, mpv and ffmpeg play it from any point. A
 * client that reads too slowly loses chunks, never holds the stream back. The viewer's loop thread.
 */
final class LiveResponse implements LiveReader {
    private final HttpExchange exchange;
    private final LiveReaders readers;
    private final TsResync tsResync = new TsResync();
    private boolean resyncNext = true;
    private boolean done;
    private final OpenStreams streams;
    private final OpenStream entry;
    /** When the request came (the loop's clock), until the first byte went out; then -1. */
    private long askedNanos;

    LiveResponse(OpenStreams streams, OpenStream entry, HttpExchange exchange, long askedNanos) {
        this.streams = streams;
        this.entry = entry;
        this.exchange = exchange;
        this.readers = entry.liveReaders;
        this.askedNanos = askedNanos;
    }

    void start() {
        exchange.onClose(this::leave);
        readers.add(this);
    }

    @Override
    public boolean offer(LiveChunk chunk, boolean measured, boolean resync) {
        if (done) {
            return false;
        }
        if (!exchange.isWritable()) {
            resyncNext = true; // dropped: what follows no longer continues what was sent
            return false;
        }
        ByteBuffer[] out = tsResync.next(chunk.bytes(), resync || resyncNext);
        resyncNext = false;
        if (out != null) {
            for (ByteBuffer b : out) {
                streams.onSent(entry, b.remaining());
                exchange.send(BufferData.of(b));
            }
            if (askedNanos >= 0 && out.length > 0) {
                streams.onFirstByte(askedNanos);
                askedNanos = -1;
            }
        }
        return true;
    }

    @Override
    public void finish() {
        if (!done) {
            exchange.end();
            leave();
        }
    }

    private void leave() {
        if (!done) {
            done = true;
            readers.remove(this);
        }
    }
}
