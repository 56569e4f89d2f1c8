package p2pstream.peer.server;

import java.io.IOException;
import java.util.List;
import p2pstream.common.net.Clock;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.peer.store.SharedDirectory;

/**
 * What a peer-server opens before it serves, in order: its loops, its metrics and, with {@code --http}, its page
 * and {@code /metrics} (so the hashing at start can be watched), then the hashing of its files; whatever it opened is
 * closed again when the start fails. The starting thread only.
 */
final class PeerServerStartup {
    private PeerServerStartup() {
    }

    /** A server of the files of {@code config.dir()}, hashed (or their cached manifests read) first. */
    static PeerServer files(PeerServer.Config config) throws IOException {
        SharedDirectory dir = new SharedDirectory(config.dir());
        OpenFiles open = new OpenFiles(config.sharing().openFiles());
        PeerServerMetrics metrics = new PeerServerMetrics();
        EventLoopGroup group = new EventLoopGroup("peer-server", config.threads());
        PeerServerHttp http = null;
        SharedFiles hasher = null;
        PeerServer server;
        try {
            http = config.http() == null ? null : PeerServerHttp.open(group, config.http(), metrics);
            hasher = new SharedFiles(dir, Clock.SYSTEM, open);
            List<ServedStream> shared = hasher.hashAll(metrics.hashing());
            // the access files before the first announcement: a folder is never announced as it should not be
            config.access().folders(FolderAccess.read(dir.root(), shared.stream().map(ServedStream::name).toList()));
            server = new PeerServer(config, group, metrics, http, shared, null, hasher, open);
        } catch (IOException | RuntimeException e) {
            abandon(http, hasher, group);
            throw e;
        }
        server.onStarted();
        return server;
    }

    /** A publisher of the live stream {@code live}. */
    static PeerServer live(PeerServer.Config config, LiveHolding live) throws IOException {
        PeerServerMetrics metrics = new PeerServerMetrics();
        EventLoopGroup group = new EventLoopGroup("peer-server", config.threads());
        PeerServerHttp http = null;
        PeerServer server;
        try {
            http = config.http() == null ? null : PeerServerHttp.open(group, config.http(), metrics);
            server = new PeerServer(config, group, metrics, http, List.of(), live, null, null);
        } catch (IOException | RuntimeException e) {
            abandon(http, null, group);
            throw e;
        }
        server.onStarted();
        return server;
    }

    /** A start that failed: what it had opened is closed ({@code http} and {@code hasher} may be null). */
    private static void abandon(PeerServerHttp http, SharedFiles hasher, EventLoopGroup group) {
        if (http != null) {
            http.close();
        }
        if (hasher != null) {
            hasher.close();
        }
        group.close();
    }
}
