package p2pstream.peer.server;

import java.util.Collection;
import java.util.function.Supplier;
import p2pstream.common.net.EventLoop;

/**
 * Keeps a private live stream's short-lived grants fresh (PROTOCOL.md section 10): every renewal period the owner
 * announces the stream again with a fresh grant per reader (the tracker hands the newest in PEERS) and hands each
 * reader connected to it a fresh GRANT, so a viewer that keeps watching never sees its grant lapse. The server's
 * first loop.
 */
final class GrantRenewal {
    private final EventLoop loop;
    private final long periodMillis;
    private final Runnable announce;
    private final Supplier<Collection<ServerSession>> readers;

    /**
     * @param announce announces the stream with fresh grants (withdrawn when nobody may read it)
     * @param readers  the sessions serving readers now, on every loop
     */
    GrantRenewal(EventLoop loop, long periodMillis, Runnable announce, Supplier<Collection<ServerSession>> readers) {
        this.loop = loop;
        this.periodMillis = periodMillis;
        this.announce = announce;
        this.readers = readers;
    }

    /** Renews every period from now on, until the loop closes. */
    void start() {
        loop.schedule(periodMillis, this::renew);
    }

    private void renew() {
        try {
            announce.run();
            for (ServerSession s : readers.get()) {
                s.renewGrant(); // each on its own loop; a reader no longer let in gets none (and is closed)
            }
        } finally {
            loop.schedule(periodMillis, this::renew);
        }
    }
}
