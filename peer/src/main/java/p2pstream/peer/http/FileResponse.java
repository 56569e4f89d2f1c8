package p2pstream.peer.http;

import p2pstream.common.data.Data;
import p2pstream.common.http.HttpExchange;
import p2pstream.peer.client.file.FileStream;
import p2pstream.peer.playback.Reader;
import p2pstream.peer.store.Manifest;

/**
 * One HTTP response with bytes of a file stream: a reader of the stream whose playhead is the chunk of its next
 * byte, so its range is urgent at once (a seek is a playhead move). Each chunk goes out as soon as it is verified,
 * straight from the store (a file region with sendfile), and only while the connection takes more, so a slow
 * client holds at most a connection's queue, never the stream. Leaves the stream's readers when it ends or its
 * client goes away. The viewer's loop thread.
 */
final class FileResponse implements Reader {
    private final FileStream stream;
    private final HttpExchange exchange;
    private final Manifest manifest;
    /** The next byte to send and the last one, of the stream. */
    private long next;
    private final long last;
    private volatile int playhead;
    private boolean done;
    private final OpenStreams streams;
    private final OpenStream entry;
    /** When the request came (the loop's clock), until the first byte went out; then -1. */
    private long askedNanos;
    private boolean stalled;

    FileResponse(OpenStreams streams, OpenStream entry, FileStream stream, HttpExchange exchange, long first,
                 long last, long askedNanos) {
        this.streams = streams;
        this.entry = entry;
        this.askedNanos = askedNanos;
        this.stream = stream;
        this.exchange = exchange;
        this.manifest = stream.manifest();
        this.next = first;
        this.last = last;
        this.playhead = chunkOf(first);
    }

    /** Joins the stream's readers and sends what is there. */
    void start() {
        exchange.onClose(this::leave);
        stream.addReader(this);
        pump();
    }

    @Override
    public int playhead() {
        return playhead;
    }

    @Override
    public void onArrived(int index) {
        if (!done && index == chunkOf(next)) {
            pump();
        }
    }

    /** The stream failed: the response cannot be completed, so the connection closes (its length is promised). */
    @Override
    public void onFailed(String message) {
        if (!done) {
            done = true; // the stream dropped its readers already
            exchange.abort("stream failed: " + message);
        }
    }

    /** Sends the chunks in place from the next byte on, while the connection takes more. */
    private void pump() {
        while (!done && next <= last) {
            if (!exchange.isWritable()) {
                exchange.onWritable(this::pump);
                return;
            }
            int index = chunkOf(next);
            if (!stream.arrivals().has(index)) {
                if (!stalled) {
                    stalled = true; // the player could take more than is here: counted once a wait
                    streams.onStall(entry);
                }
                return; // onArrived goes on
            }
            stalled = false;
            long chunkStart = manifest.chunkOffset(index);
            int from = (int) (next - chunkStart);
            int length = (int) (Math.min(last + 1, chunkStart + manifest.chunkLength(index)) - next);
            Data d = stream.store().data(index, from, length);
            if (d == null) {
                exchange.abort("chunk " + index + ": no longer held (expected: a store that keeps it)");
                leave();
                return;
            }
            exchange.send(d);
            streams.onSent(entry, length);
            if (askedNanos >= 0) {
                streams.onFirstByte(askedNanos);
                askedNanos = -1;
            }
            next += length;
            int moved = chunkOf(Math.min(next, last));
            if (moved != playhead || next > last) {
                playhead = next > last ? manifest.chunkCount() : moved;
                stream.onReaderMoved();
            }
        }
        if (!done && next > last) {
            exchange.end();
            leave();
        }
    }

    private int chunkOf(long offset) {
        return manifest.chunkCount() == 0 ? 0
                : (int) Math.min(manifest.chunkCount() - 1, offset / manifest.chunkSize());
    }

    private void leave() {
        if (!done) {
            done = true;
            stream.removeReader(this);
        }
    }
}
