package p2pstream.peer.http;

import java.net.InetSocketAddress;
import java.util.function.Supplier;
import p2pstream.common.http.HtmlPage;
import p2pstream.common.http.HttpExchange;
import p2pstream.common.http.HttpHandler;
import p2pstream.common.net.Acceptor;
import p2pstream.peer.client.live.LiveStream;
import p2pstream.peer.swarm.ViewerStream;

/**
 * {@code GET /watch/NAME}: opens the stream (a page is there to be watched, and its player asks at once) and answers
 * its {@link WatchPage} once it is open; a live stream's page waits a few seconds for its first chunk, so the page
 * knows whether the browser can play it as HLS. An unknown stream is 404, as at {@code /stream/}. The viewer's loop
 * thread.
 */
final class WatchRoute implements HttpHandler {
    static final String PREFIX = "/watch/";
    /** A live stream's first chunk comes within its latency (2 s by default) of joining. */
    static final long FIRST_CHUNK_WAIT_MILLIS = 5_000;
    /** A link longer than this (a long name, encoded) goes by content id: a QR code of it stays small. */
    static final int MAX_LINK_CHARS = 160;
    private static final long POLL_MILLIS = 100;

    private final OpenStreams streams;
    private final Supplier<InetSocketAddress> address;

    /** @param address where the gateway listens (known once its server is open) */
    WatchRoute(OpenStreams streams, Supplier<InetSocketAddress> address) {
        this.streams = streams;
        this.address = address;
    }

    @Override
    public void onRequest(HttpExchange ex) {
        long askedNanos = ex.loop().nanoTime();
        StreamRoute.withStream(streams, ex, PREFIX, (entry, s) -> answer(ex, entry, s, askedNanos));
    }

    private void answer(HttpExchange ex, OpenStream entry, ViewerStream s, long askedNanos) {
        if (!ex.isOpen()) {
            return;
        }
        boolean waited = ex.loop().nanoTime() - askedNanos > FIRST_CHUNK_WAIT_MILLIS * 1_000_000;
        if (s instanceof LiveStream && entry.transportStream == null && !waited) {
            ex.loop().schedule(POLL_MILLIS, () -> answer(ex, entry, s, askedNanos));
            return;
        }
        StreamState state = StreamState.open(entry, -1, -1);
        StreamPaths paths = StreamPaths.of(state.name(), state.contentId());
        String watch = paths.watch().length() <= MAX_LINK_CHARS ? paths.watch() : PREFIX + state.contentId().hex();
        InetSocketAddress a = address.get();
        WatchLink link = WatchLink.of(a, ex.request().header("Host"), watch);
        ex.respond(200, HtmlPage.headers(WatchPage.SCRIPT), WatchPage.html(state, paths, Acceptor.hostPort(a), link));
    }
}
