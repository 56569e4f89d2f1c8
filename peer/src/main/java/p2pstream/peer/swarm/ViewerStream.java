package p2pstream.peer.swarm;

import java.util.concurrent.CompletableFuture;
import p2pstream.common.wire.ContentId;

/**
 * A stream a viewer has open: a file stream or a live one, resolved and built with its manifest. Loop thread
 * for everything but {@link #failure}, which any thread may wait on.
 */
public interface ViewerStream {
    ContentId contentId();

    String name();

    /** Completes exceptionally with a {@link StreamFailure} when the stream cannot go on; never completes normally. */
    CompletableFuture<Void> failure();

    /** Stops fetching and serving the stream: its links close, its readers see no more chunks. */
    void stop(String reason);
}
