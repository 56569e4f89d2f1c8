package p2pstream.peer.client;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Wire;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerClient;
import p2pstream.peer.tracker.TrackerIdentityException;

/** One question to the tracker from the command line, on a loop of its own. The calling thread waits. */
final class TrackerQuery {
    private TrackerQuery() {
    }

    /** What the tracker lists to this peer id (names containing {@code text}); the failure's exit status if not. */
    static Streams list(InetSocketAddress trackerAddress, Security security, String text) throws Exception {
        try (EventLoop loop = new EventLoop("tracker-query").start()) {
            TrackerClient client = new TrackerClient(loop, trackerAddress, security, Role.CLIENT, 0, true);
            client.start();
            try {
                return client.list(new ListStreams(text, Wire.MAX_STREAMS_PER_LIST)).get(15, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new WatchException(StreamFailure.root(e) instanceof TrackerIdentityException
                        ? StreamFailure.TRACKER_IDENTITY : WatchException.UNREACHABLE, StreamFailure.rootMessage(e),
                        null);
            } finally {
                client.close();
            }
        }
    }
}
