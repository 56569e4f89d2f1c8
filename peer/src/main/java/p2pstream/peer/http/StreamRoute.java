package p2pstream.peer.http;

import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import p2pstream.common.http.ByteRange;
import p2pstream.common.http.HttpExchange;
import p2pstream.common.http.HttpHandler;
import p2pstream.common.http.HttpHeaders;
import p2pstream.common.http.MediaTypes;
import p2pstream.peer.client.file.FileStream;
import p2pstream.peer.client.live.LiveStream;
import p2pstream.peer.playback.Reader;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.ViewerStream;

/**
 * {@code GET|HEAD /stream/NAME}: NAME is a stream's name (its path segments URL-encoded) or its content id in hex.
 * A file stream answers 200 with the whole, 206 with the first range asked for, 416 past the end; a live stream an
 * endless {@code video/mp2t} body. The stream is resolved and opened on the first request and shared by the next;
 * a response parks until it is open. The viewer's loop thread.
 */
final class StreamRoute implements HttpHandler {
    static final String PREFIX = "/stream/";
    /** Chunks at the end of an MP4-like file fetched at once beside the start: players look for the index there. */
    static final int TAIL_CHUNKS = 2;

    private final OpenStreams streams;

    StreamRoute(OpenStreams streams) {
        this.streams = streams;
    }

    @Override
    public void onRequest(HttpExchange ex) {
        long askedNanos = ex.loop().nanoTime();
        withStream(streams, ex, PREFIX, (entry, s) -> {
            if (s instanceof FileStream f) {
                file(ex, entry, f, askedNanos);
            } else {
                live(ex, entry, (LiveStream) s, askedNanos);
            }
        });
    }

    /**
     * Opens the stream named by the rest of the request's path after {@code prefix} (shared with the requests before)
     * and runs {@code then} on the loop once it is open, while the client is still there; answers 404 for no name
     * and {@link #refuse}s a stream that cannot be opened.
     */
    static void withStream(OpenStreams streams, HttpExchange ex, String prefix,
                           BiConsumer<OpenStream, ViewerStream> then) {
        String key = ex.request().path().substring(prefix.length());
        if (key.isEmpty()) {
            ex.respond(404, "text/plain; charset=utf-8", "stream: none named (expected: " + prefix + "NAME)\n");
            return;
        }
        OpenStream entry = streams.open(key);
        entry.stream.whenComplete((s, error) -> ex.loop().execute(() -> {
            if (!ex.isOpen()) {
                return; // the client left while the stream opened
            }
            if (error != null) {
                refuse(ex, key, error);
            } else {
                then.accept(entry.resolved(), s);
            }
        }));
    }

    private void file(HttpExchange ex, OpenStream entry, FileStream s, long askedNanos) {
        Manifest m = s.manifest();
        long size = m.size();
        HttpHeaders headers = new HttpHeaders().add("Content-Type", MediaTypes.of(m.name()))
                .add("Accept-Ranges", "bytes");
        ByteRange range = ByteRange.parse(ex.request().header("Range"), size);
        if (range == ByteRange.UNSATISFIABLE) {
            ex.respond(416, headers.add("Content-Range", range.contentRange(size)), 0);
            return;
        }
        long first = range == null ? 0 : range.first();
        long last = range == null ? size - 1 : range.last();
        if (range != null) {
            headers.add("Content-Range", range.contentRange(size));
        }
        ex.respond(range == null ? 200 : 206, headers, last - first + 1);
        if (ex.request().isHead() || size == 0) {
            return;
        }
        streams.onReader(entry, 1);
        ex.onClose(() -> streams.onReader(entry, -1));
        if (first == 0 && indexMayBeAtTheEnd(m)) {
            prefetchTail(s);
        }
        new FileResponse(streams, entry, s, ex, first, last, askedNanos).start();
    }

    private void live(HttpExchange ex, OpenStream entry, LiveStream s, long askedNanos) {
        ex.respond(200, new HttpHeaders().add("Content-Type", "video/mp2t").add("Cache-Control", "no-store"), -1);
        if (ex.request().isHead()) {
            return;
        }
        streams.onReader(entry, 1);
        ex.onClose(() -> streams.onReader(entry, -1));
        new LiveResponse(streams, entry, ex, askedNanos).start();
    }

    /**
     * Answers a stream that could not be opened: 404 not found, 403 a private stream not ours to read, 502
     * unreachable, another content or a tracker proving another id, else 500.
     */
    static void refuse(HttpExchange ex, String key, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
        int status = cause instanceof StreamFailure f ? switch (f.exitStatus()) {
            case StreamFailure.NOT_FOUND -> 404;
            case StreamFailure.FORBIDDEN -> 403;
            case StreamFailure.UNREACHABLE, StreamFailure.MISMATCH, StreamFailure.TRACKER_IDENTITY -> 502;
            default -> 500;
        } : 500;
        ex.respond(status, "text/plain; charset=utf-8",
                "stream " + key + ": " + StreamFailure.rootMessage(cause) + "\n");
    }

    /** An MP4 or QuickTime file may keep its index (moov) after its media, where a player seeks first. */
    private static boolean indexMayBeAtTheEnd(Manifest m) {
        String n = m.name().toLowerCase(Locale.ROOT);
        return (n.endsWith(".mp4") || n.endsWith(".m4v") || n.endsWith(".mov") || n.endsWith(".m4a"))
                && m.chunkCount() > TAIL_CHUNKS + 1;
    }

    /** Makes the file's last chunks urgent beside the start, until they are in. */
    private static void prefetchTail(FileStream s) {
        int from = s.manifest().chunkCount() - TAIL_CHUNKS;
        if (s.arrivals().contiguous(from, TAIL_CHUNKS) == TAIL_CHUNKS) {
            return;
        }
        Reader tail = new Reader() {
            private volatile int playhead = from;

            @Override
            public int playhead() {
                return playhead;
            }

            @Override
            public void onArrived(int index) {
                if (index >= from && s.arrivals().contiguous(from, TAIL_CHUNKS) == TAIL_CHUNKS) {
                    playhead = s.manifest().chunkCount();
                    s.removeReader(this);
                }
            }
        };
        s.addReader(tail);
    }
}
