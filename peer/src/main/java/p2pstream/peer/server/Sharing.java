package p2pstream.peer.server;

/**
 * How a peer-server shares its directory while it runs (the {@link PeerServer.Config}'s part for it). Immutable.
 *
 * @param openFiles    shared files kept open at most
 * @param settleMillis a new or changed file is hashed once its size and modification time held this long
 * @param rescanMillis the directory is listed this often even without change events
 */
public record Sharing(int openFiles, long settleMillis, long rescanMillis) {
    static final Sharing DEFAULT = new Sharing(OpenFiles.defaultCapacity(), 1_000, 60_000);
}
