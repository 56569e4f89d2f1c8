package p2pstream.peer.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Devices;
import p2pstream.common.access.Grant;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.Clock;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.common.net.FatalExit;
import p2pstream.common.net.Limits;
import p2pstream.common.net.TokenBucket;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Reach;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.Role;
import p2pstream.peer.relay.Relay;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.tracker.Dialer;
import p2pstream.peer.tracker.PortMapping;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerClient;
import p2pstream.peer.tracker.TrackerIdentityException;

/**
 * A peer-server: shares every file of a directory, serves chunks on an {@link EventLoopGroup} with
 * zero-copy, and keeps its files announced to the tracker. {@link #start} and {@link #close} may be called
 * from any thread.
 */
public final class PeerServer implements Catalog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerServer.class);
    public static final int DEFAULT_PORT = 2050;
    static final long HELLO_TIMEOUT_MILLIS = 10_000;
    /**
     * Pending outbound bytes per connection are mostly file regions, so the watermarks can be generous. A
     * fast client sends one REQUEST per chunk (thousands a second); floods of them are bounded by the request
     * queue and backpressure, so the frame rate limit only stops absurd senders.
     */
    static final Limits LIMITS = Limits.CONTROL.withWatermarks(8 * 1024 * 1024, 4 * 1024 * 1024)
            .withMaxFramesPerSecond(50_000).withHelloTimeoutMillis(HELLO_TIMEOUT_MILLIS);
    /** Connections one IP address may hold (a NAT may hide a few viewers), so one host cannot take every slot. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 32;

    /**
     * @param uploadBytesPerSecond cap on the whole process's upload, 0 for none
     * @param helloTimeoutMillis   a connection without a complete HELLO this long after it opened is closed
     * @param sessionIdleMillis    a session after HELLO that neither sends nor takes a byte this long is closed
     * @param maxConnectionsPerAddress open connections from one IP address at most
     * @param http                 where to serve the server's page and {@code /metrics} (port 0: a free one), or null
     * @param security             the identity it proves on every connection, and which tracker it trusts
     * @param access               who may read its streams: anyone, or the peer ids it allows (not announced)
     */
    public record Config(InetSocketAddress bind, InetSocketAddress tracker, Path dir, long uploadBytesPerSecond,
                         int threads, int maxConnections, long helloTimeoutMillis, long sessionIdleMillis,
                         Sharing sharing, int maxConnectionsPerAddress, InetSocketAddress http, Security security,
                         Access access) {
        public Config(InetSocketAddress bind, InetSocketAddress tracker, Path dir, long uploadBytesPerSecond,
                      int threads, int maxConnections, long helloTimeoutMillis, long sessionIdleMillis,
                      Sharing sharing) {
            this(bind, tracker, dir, uploadBytesPerSecond, threads, maxConnections, helloTimeoutMillis,
                    sessionIdleMillis, sharing, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, null, Security.ephemeral(),
                    Access.anyone());
        }

        public Config(InetSocketAddress bind, InetSocketAddress tracker, Path dir, long uploadBytesPerSecond,
                      int threads, int maxConnections) {
            this(bind, tracker, dir, uploadBytesPerSecond, threads, maxConnections, HELLO_TIMEOUT_MILLIS,
                    ServerSession.SESSION_IDLE_MILLIS, Sharing.DEFAULT);
        }

        public static Config loopback(InetSocketAddress tracker, Path dir) {
            return new Config(new InetSocketAddress("127.0.0.1", 0), tracker, dir, 0, 2, 1_000);
        }

        public Config withUploadLimit(long bytesPerSecond) {
            return new Config(bind, tracker, dir, bytesPerSecond, threads, maxConnections, helloTimeoutMillis,
                    sessionIdleMillis, sharing, maxConnectionsPerAddress, http, security, access);
        }

        public Config withMaxConnections(int max) {
            return new Config(bind, tracker, dir, uploadBytesPerSecond, threads, max, helloTimeoutMillis,
                    sessionIdleMillis, sharing, maxConnectionsPerAddress, http, security, access);
        }

        /** Shorter (tests) or longer deadlines for HELLO and for a silent session. */
        public Config withTimeouts(long helloMillis, long idleMillis) {
            return new Config(bind, tracker, dir, uploadBytesPerSecond, threads, maxConnections, helloMillis,
                    idleMillis, sharing, maxConnectionsPerAddress, http, security, access);
        }

        /** Shared files kept open at most (default {@link OpenFiles#defaultCapacity()}). */
        public Config withOpenFiles(int max) {
            return withSharing(new Sharing(max, sharing.settleMillis(), sharing.rescanMillis()));
        }

        /** How long a new or changed file must hold still before it is hashed, and the rescan interval. */
        public Config withWatch(long settleMillis, long rescanMillis) {
            return withSharing(new Sharing(sharing.openFiles(), settleMillis, rescanMillis));
        }

        public Config withMaxConnectionsPerAddress(int max) {
            return new Config(bind, tracker, dir, uploadBytesPerSecond, threads, maxConnections, helloTimeoutMillis,
                    sessionIdleMillis, sharing, max, http, security, access);
        }

        /** The same, serving the server's page and {@code /metrics} on {@code address} (port 0: a free one). */
        public Config withHttp(InetSocketAddress address) {
            return new Config(bind, tracker, dir, uploadBytesPerSecond, threads, maxConnections, helloTimeoutMillis,
                    sessionIdleMillis, sharing, maxConnectionsPerAddress, address, security, access);
        }

        /** The same, with this identity and tracker trust (default: a fresh identity, any tracker). */
        public Config withSecurity(Security s) {
            return new Config(bind, tracker, dir, uploadBytesPerSecond, threads, maxConnections, helloTimeoutMillis,
                    sessionIdleMillis, sharing, maxConnectionsPerAddress, http, s, access);
        }

        /** The same, its streams private to the peer ids {@code a} allows (default: public). */
        public Config withAccess(Access a) {
            return new Config(bind, tracker, dir, uploadBytesPerSecond, threads, maxConnections, helloTimeoutMillis,
                    sessionIdleMillis, sharing, maxConnectionsPerAddress, http, security, a);
        }

        private Config withSharing(Sharing s) {
            return new Config(bind, tracker, dir, uploadBytesPerSecond, threads, maxConnections, helloTimeoutMillis,
                    sessionIdleMillis, s, maxConnectionsPerAddress, http, security, access);
        }
    }

    private final PeerId peerId;
    private final Access access;
    private final Map<ContentId, Holding> streams = new ConcurrentHashMap<>();
    /** By name; changed by the directory watch on the first loop, read from any thread. */
    private final Map<String, ServedStream> files = new ConcurrentSkipListMap<>();
    /** Null for a server of shared files. */
    private final LiveHolding live;
    private final EventLoopGroup group;
    private final PeerServerMetrics metrics;
    /** Null without --http. */
    private final PeerServerHttp http;
    private final Acceptor acceptor;
    /** The cap on this process's whole upload (--upload-limit), shared with a relay it runs; or null. */
    private final TokenBucket uploadCap;
    /** The router's mapping of a port to the listener ({@link #mapPort}), or null. */
    private volatile PortMapping portMapping;
    private final TrackerClient trackerClient;
    /** Null for a live publisher, which shares no directory. */
    private final SharedFiles hasher;
    private final OpenFiles openFiles;
    private final DirectoryWatch watch;
    private final Announcements announcements;
    /** The sessions serving a stream now, on every loop: checked again when the access changes. */
    private final Set<ServerSession> reading = ConcurrentHashMap.newKeySet();
    /** Answers REDEEM (invites, the provider password) once set; null before, and for a public server. */
    private volatile Redemptions redemptions;
    /** The files sent to chosen readers (--send), who decide who reads them; null without. */
    private volatile Sends sends;

    /** Serves on {@code group}, which the caller closes if this throws ({@link PeerServerStartup}). */
    PeerServer(Config config, EventLoopGroup group, PeerServerMetrics metrics, PeerServerHttp http,
                       List<ServedStream> shared, LiveHolding live, SharedFiles hasher, OpenFiles openFiles)
            throws IOException {
        this.group = group;
        this.peerId = config.security().key().peerId();
        this.access = config.access();
        this.metrics = metrics;
        this.http = http;
        this.live = live;
        this.hasher = hasher;
        this.openFiles = openFiles;
        for (ServedStream s : shared) {
            streams.put(s.manifest().contentId(), s);
            files.put(s.manifest().name(), s);
            metrics.track(s);
        }
        if (live != null) {
            streams.put(live.manifest().contentId(), live);
            metrics.track(live);
        }
        TokenBucket cap = config.uploadBytesPerSecond() > 0
                ? new TokenBucket(config.uploadBytesPerSecond(), Clock.SYSTEM) : null;
        this.uploadCap = cap;
        Supplier<ConnectionHandler> sessions = () -> new ServerSession(this, config.sessionIdleMillis());
        Limits sessionLimits = LIMITS.withIdleTimeoutMillis(config.helloTimeoutMillis())
                .withHelloTimeoutMillis(config.helloTimeoutMillis());
        this.acceptor = Acceptor.open(group, config.bind(), sessions, sessionLimits, config.maxConnections(),
                config.maxConnectionsPerAddress(), cap, Acceptor.ERROR_FRAME, config.security().key());
        this.trackerClient = new TrackerClient(group.loops().get(0), config.tracker(), config.security(), Role.SERVER,
                acceptor.localAddress().getPort(), false);
        // holders behind NATs are connected to the viewers that ask through the tracker (section 11)
        trackerClient.arrivals(new Dialer(group.loops().get(0), config.security().key(),
                acceptor.localAddress().getPort(), sessions, sessionLimits, cap, null));
        this.announcements = new Announcements(trackerClient, access, group.loops().get(0));
        for (ServedStream s : shared) {
            announcements.announce(s.announcement());
        }
        if (live != null) {
            announcements.announce(liveAnnouncement());
        }
        trackerClient.start();
        access.bind(group.loops().get(0), this::onAccessChanged);
        if (live != null && access.isPrivate()) {
            new GrantRenewal(group.loops().get(0), access.renewalMillis(),
                    () -> announcements.announce(liveAnnouncement()), () -> reading).start();
        }
        if (hasher != null) {
            announcements.renewEvery(files::values);
            Sharing sharing = config.sharing();
            this.watch = new DirectoryWatch(hasher, group.loops().get(0), shared, new DirectoryWatch.Listener() {
                @Override
                public void onShared(ServedStream added, ServedStream replaced) {
                    share(added, replaced);
                }

                @Override
                public void onUnshared(ServedStream removed) {
                    unshare(removed);
                }

                @Override
                public void onFolderAccess(FolderAccess folders) {
                    access.folders(folders);
                }
            }, sharing.settleMillis(), sharing.rescanMillis(), true);
            watch.start();
        } else {
            this.watch = null;
        }
    }

    /** The directory watch found {@code added}, new or in place of {@code replaced}. First loop thread. */
    private void share(ServedStream added, ServedStream replaced) {
        metrics.track(added);
        streams.put(added.manifest().contentId(), added);
        files.put(added.manifest().name(), added);
        announcements.announce(added.announcement());
        if (replaced != null) {
            streams.remove(replaced.manifest().contentId(), replaced);
            metrics.forget(replaced);
            announcements.withdraw(replaced.manifest().contentId());
            replaced.close();
        }
    }

    /** The directory watch found {@code removed} gone. First loop thread. */
    private void unshare(ServedStream removed) {
        streams.remove(removed.manifest().contentId(), removed);
        files.remove(removed.manifest().name(), removed);
        metrics.forget(removed);
        announcements.withdraw(removed.manifest().contentId());
        removed.close();
    }

    /**
     * Hashes (or reads the cached manifests of) every shared file, listens, and announces. With {@code --http} the
     * page and {@code /metrics} are served from the start, so the hashing can be watched.
     */
    public static PeerServer start(Config config) throws IOException {
        PeerServer server = PeerServerStartup.files(config);
        log.info("peer-server {} listening on {}, sharing {} files from {}, watching it for changes", server.peerId,
                server.address(), server.files.size(), server.hasher.directory().root());
        return server;
    }

    /** Serves and announces one live stream (no directory): its publisher fills {@code live}'s window. */
    public static PeerServer startLive(Config config, LiveHolding live) throws IOException {
        PeerServer server = PeerServerStartup.live(config, live);
        log.info("peer-server {} listening on {}, publishing live {} as {}", server.peerId, server.address(),
                live.name(), live.manifest().contentId().hex());
        return server;
    }

    private Announce liveAnnouncement() {
        LiveManifest m = live.manifest();
        return new Announce(m.contentId(), m.name(), -1, m.chunkSize(), 0, 0);
    }

    /** Once constructed: the pages and metrics read this server's figures from now on. */
    void onStarted() {
        metrics.onStarted(this);
        if (http != null) {
            http.onStarted(this);
        }
    }

    public InetSocketAddress address() {
        return acceptor.localAddress();
    }

    @Override
    public PeerId peerId() {
        return peerId;
    }

    /**
     * Who may read changed (an allow file, an access file, an admission; first loop): the tracker hears of every
     * stream whose readers changed, and the sessions of readers no longer let in end (ERROR FORBIDDEN).
     */
    private void onAccessChanged() {
        announcements.onAccessChanged(files.values());
        if (sends != null) {
            sends.onAccessChanged();
        }
        if (live != null && access.isPrivate()) {
            announcements.announce(liveAnnouncement()); // its grants as they are now (withdrawn: nobody may read)
        }
        for (ServerSession s : reading) {
            s.recheck();
        }
    }

    /** The tracker's answer to DEVICES: the peer ids of the account {@code name}'s devices. Any thread. */
    CompletableFuture<Devices> accountDevices(String name) {
        return trackerClient.devices(name);
    }

    @Override
    public String refusal(PeerId reader, boolean encrypted, ContentId id, Grant presented, long nowMillis) {
        // by content id, which the reader sent: the name is the owner's to keep from whoever it refuses; the owner
        // goes by its own access, whatever grant a reader shows
        Sends sent = sends;
        if (sent != null && sent.sends(id)) {
            return sent.refusal(reader, encrypted, id);
        }
        Holding h = streams.get(id);
        if (h == null) {
            // unshared since the session found it (another loop): fail closed, its access is unknown now
            return "stream " + id.shortHex() + " is no longer shared (expected: a stream this peer serves)";
        }
        return access.refusal(reader, encrypted, h.name(), "stream " + id.shortHex());
    }

    @Override
    public Grant grantFor(PeerId reader, ContentId id) {
        Sends sent = sends;
        if (sent != null && sent.sends(id)) {
            return sent.grantFor(reader, id, Clock.SYSTEM.epochMicros() / 1000);
        }
        Holding h = streams.get(id);
        return h == null ? null : access.grantFor(reader, id, h.name(), Clock.SYSTEM.epochMicros() / 1000);
    }

    @Override
    public void onReading(ServerSession session, boolean open) {
        if (open) {
            reading.add(session);
        } else {
            reading.remove(session);
        }
    }

    /** Whether the tracker's dial-back reached this server (section 11): null until it said. Any thread. */
    public Reach reach() {
        return trackerClient.reach();
    }

    /** The cap on this process's whole upload, for a relay beside it to share; null without one. Any thread. */
    public TokenBucket uploadCap() {
        return uploadCap;
    }

    /**
     * Asks the router for a public port forwarded to this server's listener (NAT-PMP), unless it listens on
     * loopback; the tracker is told of the port it grants and dials it back there. Closed with the server.
     */
    public void mapPort() {
        if (!acceptor.localAddress().getAddress().isLoopbackAddress()) {
            PortMapping m = PortMapping.start(listenPort(), trackerClient::mapped);
            if (m != null) {
                portMapping = m;
            }
        }
    }

    /** Offers the tracker {@code relay}'s circuits (now and after every reconnect) and passes it the orders. */
    public void offerRelay(Relay relay) {
        trackerClient.offerRelay(relay.address().getPort(), relay::order);
    }

    @Override
    public int listenPort() {
        return acceptor.localAddress().getPort();
    }

    @Override
    public void onServing(Holding stream) {
        metrics.onServing(stream);
    }

    @Override
    public void onServingEnded(Holding stream) {
        metrics.onServingEnded(stream);
    }

    @Override
    public void onChunkSent(Holding stream, long bytes) {
        metrics.onChunkSent(stream, bytes);
    }

    @Override
    public void onRejected(Reject.Reason reason) {
        metrics.onRejected(reason);
    }

    /** Bytes of chunk frames sent to peers so far. Any thread. */
    public long uploadedBytes() {
        return metrics.sentBytes();
    }

    /** Where the page and {@code /metrics} are served (the real port when 0 was asked for), or null. Any thread. */
    public InetSocketAddress httpAddress() {
        return http == null ? null : http.address();
    }

    @Override
    public Redemptions redemptions() {
        return redemptions;
    }

    /** From now on REDEEMs go to {@code r}, which lets earlier runs' redeemers in again; closed with the server. */
    void redeemWith(Redemptions r) {
        redemptions = r;
        firstLoop().execute(r::readmit);
    }

    /** From now on the files {@code s} sends answer to its readers. Before the first is served (main thread). */
    void sends(Sends s) {
        sends = s;
    }

    /** Serves the file {@code path}, hashed as {@code m}, beside the shared directory (a file sent). Any thread. */
    ServedStream serveSent(Manifest m, Path path) throws IOException {
        ServedStream s = new ServedStream(m, path, openFiles, Stamp.of(path));
        metrics.track(s);
        streams.put(m.contentId(), s);
        return s;
    }

    /** The tracker session: what the sends announce and offer through. */
    TrackerClient tracker() {
        return trackerClient;
    }

    EventLoop firstLoop() {
        return group.loops().get(0);
    }

    @Override
    public Holding holding(ContentId id) {
        return streams.get(id);
    }

    public int streamCount() {
        return streams.size();
    }

    /** The manifests of everything shared. */
    public List<Manifest> manifests() {
        List<Manifest> list = new ArrayList<>();
        for (ServedStream s : files.values()) {
            list.add(s.manifest());
        }
        return list;
    }

    /** Told when the tracker proved another id than the one pinned for it (the server stops asking it). */
    public void onTrackerRefused(Consumer<TrackerIdentityException> listener) {
        trackerClient.onIdentityRefused(listener);
    }

    /** Completes when the tracker has registered every announcement made so far. */
    public CompletableFuture<Void> announced() {
        return trackerClient.synced();
    }

    /** The shared files, by name. Any thread. */
    Collection<ServedStream> files() {
        return files.values();
    }

    /** The live stream published, or null. */
    LiveHolding live() {
        return live;
    }

    PeerServerMetrics metrics() {
        return metrics;
    }

    /** Shared files open now, and the most that were open at once: never above the configured bound. */
    int[] openFileCounts() {
        return openFiles == null ? new int[] {0, 0} : new int[] {openFiles.openCount(), openFiles.peakOpenCount()};
    }

    /** Open connections from peers. */
    public int connectionCount() {
        return acceptor.connectionCount();
    }

    /**
     * From now on an event loop that dies of an Error ends the process ({@link FatalExit}): for the main only. Any
     * thread.
     */
    public void exitOnLoopDeath(String program) {
        FatalExit.onLoopDeath(group, program);
    }

    @Override
    public void close() {
        if (portMapping != null) {
            portMapping.close();
        }
        if (http != null) {
            http.close();
        }
        if (watch != null) {
            watch.close();
        }
        if (redemptions != null) {
            redemptions.close();
        }
        trackerClient.close();
        acceptor.close();
        group.close();
        if (hasher != null) {
            hasher.close();
        }
        for (ServedStream s : files.values()) {
            s.close();
        }
        if (openFiles != null) {
            openFiles.close();
        }
        log.info("peer-server {} on {} stopped", peerId, address());
    }
}
