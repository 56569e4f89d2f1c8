package p2pstream.peer.viewer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.Clock;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.common.net.TokenBucket;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.peer.client.file.FileOpening;
import p2pstream.peer.client.live.LiveOpening;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.server.ServerSession;
import p2pstream.peer.swarm.Arrangements;
import p2pstream.peer.swarm.PeersGrant;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.StreamHost;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Swarm;
import p2pstream.peer.swarm.Timings;
import p2pstream.peer.swarm.ViewerCatalog;
import p2pstream.peer.swarm.ViewerStream;
import p2pstream.peer.tracker.Dialer;
import p2pstream.peer.tracker.PortMapping;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerClient;
import p2pstream.peer.tracker.TrackerIdentityException;

/**
 * One peer-client process's viewer: its loop, its verifier pool, the socket it serves other viewers on, its
 * tracker session and the catalog of what it serves. It opens streams by name or content id, any number at once:
 * each is resolved at the tracker first (is it there, is it what was asked for, file or live), then opened from
 * its peers and built once its manifest verifies. {@link #open} and {@link #close} from any thread.
 */
public final class Viewer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Viewer.class);
    /** Viewers serve other viewers: a few dozen connections is plenty and bounds what a flood can take. */
    public static final int MAX_SERVED_CONNECTIONS = 64;

    /**
     * A viewer's own settings.
     *
     * @param tracker              the tracker, or null to ask none (streams then name their peers and content id)
     * @param upload               serve what this viewer holds to other peers
     * @param listenPort           the port to serve on; 0 picks a free one
     * @param uploadBytesPerSecond cap on serving, bytes per second; 0 for none
     * @param near                 an address the viewer is reached from (the tracker's, or a peer's): a loopback one
     *                             keeps the listener on loopback, anything else listens on every interface
     */
    public record Config(InetSocketAddress tracker, boolean upload, int listenPort, long uploadBytesPerSecond,
                         InetAddress near, Timings timings, Security security) {
        /** With a fresh identity that takes any tracker (in-process tests). */
        public Config(InetSocketAddress tracker, boolean upload, int listenPort, long uploadBytesPerSecond,
                      InetAddress near, Timings timings) {
            this(tracker, upload, listenPort, uploadBytesPerSecond, near, timings, Security.ephemeral());
        }
    }

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final ExecutorService verifiers;
    private final ViewerCatalog catalog;
    private final Acceptor acceptor;
    /** The router's mapping of a port to this viewer's listener, or null. */
    private final PortMapping portMapping;
    /** The cap on serving others, shared by accepted connections and those the tracker arranges; or null. */
    private final TokenBucket uploadCap;
    private final TrackerClient tracker;
    private final StreamHost host;
    /** Streams open or opening, by content id: a content asked again (by name or by id) is the same stream. */
    private final Map<ContentId, CompletableFuture<ViewerStream>> opened = new HashMap<>();

    /** Starts the loop and, when uploading, listens. Throws when the listener cannot bind. */
    public Viewer(Config config) throws StreamFailure {
        this.group = new EventLoopGroup("viewer", 1);
        this.loop = group.loops().get(0);
        this.verifiers = Executors.newFixedThreadPool(StreamHost.VERIFIER_THREADS, r -> {
            Thread t = new Thread(r, "verifier");
            t.setDaemon(true);
            return t;
        });
        this.catalog = new ViewerCatalog(config.security().key());
        this.uploadCap = config.uploadBytesPerSecond() > 0
                ? new TokenBucket(config.uploadBytesPerSecond(), Clock.SYSTEM) : null;
        try {
            this.acceptor = config.upload() ? listen(config) : null;
        } catch (IOException e) {
            close();
            throw new StreamFailure(StreamFailure.FAILED, e.getMessage());
        }
        int port = acceptor == null ? 0 : acceptor.localAddress().getPort();
        catalog.listenPort(port);
        // with given peers and a content id no tracker is needed: none is contacted
        this.tracker = config.tracker() == null ? null
                : new TrackerClient(loop, config.tracker(), config.security(), Role.CLIENT, port, true);
        Arrangements arrangements = null;
        if (tracker != null && acceptor != null) {
            // holders behind NATs are reached through the tracker, and this viewer is reached so too (section 11)
            arrangements = new Arrangements(loop, tracker, acceptor, catalog.key());
            tracker.arrivals(new Dialer(loop, catalog.key(), port, catalog::newServerSession, ServerSession.LIMITS,
                    uploadCap, arrangements));
        }
        if (tracker != null) {
            tracker.start();
        }
        // a viewer that serves, away from loopback, asks its router for a port others can dial (section 11)
        this.portMapping = tracker != null && acceptor != null && config.near() != null
                && !config.near().isLoopbackAddress() ? PortMapping.start(port, tracker::mapped) : null;
        this.host = new StreamHost(loop, verifiers, tracker, arrangements, catalog, config.timings());
    }

    private Acceptor listen(Config config) throws IOException {
        InetAddress near = config.near();
        InetSocketAddress bind = near != null && near.isLoopbackAddress()
                ? new InetSocketAddress(near, config.listenPort()) : new InetSocketAddress(config.listenPort());
        return Acceptor.open(group, bind, catalog::newServerSession, ServerSession.LIMITS, MAX_SERVED_CONNECTIONS,
                PeerServer.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, uploadCap, Acceptor.ERROR_FRAME, catalog.key());
    }

    public EventLoop loop() {
        return loop;
    }

    /** The viewer's one-loop group: an HTTP server of the viewer's runs on it, beside its streams. */
    public EventLoopGroup group() {
        return group;
    }

    public ViewerCatalog catalog() {
        return catalog;
    }

    /** The port other viewers reach this one on; 0 when it does not serve. */
    public int listenPort() {
        return catalog.listenPort();
    }

    /**
     * Resolves and opens a stream. Completes with a file or live stream once its manifest verified, or
     * exceptionally with a {@link StreamFailure}: not found (3), unreachable (4), another content than the
     * content id asked for (5), or the store could not be opened (1). Any thread.
     */
    public CompletableFuture<ViewerStream> open(StreamRequest request) {
        CompletableFuture<ViewerStream> result = new CompletableFuture<>();
        loop.execute(() -> {
            ContentId asked = ContentId.parse(request.stream());
            if (tracker == null) {
                if (asked == null || request.peers().isEmpty()) {
                    result.completeExceptionally(new IllegalArgumentException("stream: " + request.stream()
                            + " (expected: a content id and given peers when no tracker is asked)"));
                    return;
                }
                relay(new FileOpening(host, request, asked, null).start(), result);
                return;
            }
            Lookup lookup = asked != null ? Lookup.byContentId(asked, Swarm.LOOKUP_PEERS)
                    : Lookup.byName(request.stream(), Swarm.LOOKUP_PEERS);
            tracker.lookup(lookup)
                    .whenComplete((found, error) -> loop.execute(() -> onLookup(request, asked, found, error, result)));
        });
        return result;
    }

    private void onLookup(StreamRequest request, ContentId asked, Peers found, Throwable error,
                          CompletableFuture<ViewerStream> result) {
        Grant grant = null; // ours, when the tracker found a private stream for us
        if (error != null) {
            result.completeExceptionally(new StreamFailure(StreamFailure.root(error) instanceof TrackerIdentityException
                    ? StreamFailure.TRACKER_IDENTITY : StreamFailure.UNREACHABLE, StreamFailure.rootMessage(error)));
        } else if (!found.found()) {
            result.completeExceptionally(new StreamFailure(StreamFailure.NOT_FOUND, "stream not found: "
                    + request.stream() + " (the tracker knows no such name or content id)"));
        } else if (asked != null && !asked.equals(found.contentId())) {
            // a content id the user typed is a promise: a tracker offering other bytes is lying or wrong
            result.completeExceptionally(new StreamFailure(StreamFailure.MISMATCH, "content id: "
                    + found.contentId().hex() + " offered by the tracker (expected: " + asked.hex()
                    + ", the content id asked for)"));
        } else if (found.grant() != null && (grant = readGrant(found)) == null) {
            result.completeExceptionally(new StreamFailure(StreamFailure.FORBIDDEN, request.stream() + ": the tracker's"
                    + " grant for this private stream is not ours (expected: a grant of its owner naming peer "
                    + catalog.peerId().text() + ")"));
        } else {
            CompletableFuture<ViewerStream> open = opened.get(found.contentId());
            if (open == null) {
                open = new CompletableFuture<>();
                opened.put(found.contentId(), open);
                CompletableFuture<ViewerStream> mine = open;
                mine.whenComplete((s, e) -> {
                    if (e != null) {
                        loop.execute(() -> opened.remove(found.contentId(), mine)); // asked again, tried again
                    } else {
                        s.failure().whenComplete((v, f) -> loop.execute(() -> opened.remove(found.contentId(), mine)));
                    }
                });
                if (found.size() < 0) {
                    relay(new LiveOpening(host, request, found, grant).start(), mine);
                } else {
                    relay(new FileOpening(host, request, found.contentId(), found, grant).start(), mine);
                }
            }
            relay(open, result);
        }
    }

    private Grant readGrant(Peers found) {
        return PeersGrant.read(found, catalog.peerId());
    }

    /**
     * The streams the tracker knows whose name contains {@code filter} (empty: all), at most {@code limit}; fails
     * without a tracker. Any thread.
     */
    public CompletableFuture<Streams> list(String filter, int limit) {
        return ask(t -> t.list(new ListStreams(filter, limit)));
    }

    /** What the tracker says of one stream, by name or content id (its holders among the first ones). Any thread. */
    public CompletableFuture<Peers> lookup(String stream) {
        ContentId id = ContentId.parse(stream);
        return ask(t -> t.lookup(id != null ? Lookup.byContentId(id, Swarm.LOOKUP_PEERS)
                : Lookup.byName(stream, Swarm.LOOKUP_PEERS)));
    }

    private <T> CompletableFuture<T> ask(Function<TrackerClient, CompletableFuture<T>> query) {
        if (tracker == null) {
            return CompletableFuture.failedFuture(new StreamFailure(StreamFailure.UNREACHABLE, "no tracker to ask"));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> query.apply(tracker).whenComplete((s, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(s);
            }
        }));
        return result;
    }

    /** Forgets a stream that was stopped: it is not served any more, and asked again it is opened anew. Loop thread. */
    public void forget(ViewerStream s) {
        opened.remove(s.contentId());
        catalog.withdraw(s.contentId());
    }

    private static <S extends ViewerStream> void relay(CompletableFuture<S> opened,
                                                       CompletableFuture<ViewerStream> result) {
        opened.whenComplete((s, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(s);
            }
        });
    }

    /**
     * Stops serving: no new peer is accepted and those being served are closed, so the bytes sent are final.
     * Loop thread.
     */
    public void stopServing(String reason) {
        if (tracker != null) {
            tracker.close();
        }
        if (acceptor != null) {
            acceptor.close();
        }
        catalog.traffic().stopServing(reason);
    }

    /** Stops everything: the loop, its connections and the verifier pool. Any thread. */
    @Override
    public void close() {
        if (portMapping != null) {
            portMapping.close();
        }
        if (acceptor != null) {
            acceptor.close();
        }
        group.close();
        verifiers.shutdownNow();
        log.debug("viewer closed");
    }
}
