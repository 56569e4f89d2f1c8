package p2pstream.tracker;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.RawClient;
import p2pstream.common.tools.Promtool;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;

/** Prometheus's own checker accepts a real tracker's {@code /metrics}, after some of everything has happened. */
class TrackerPromtoolTest extends TrackerHttpFixture {
    @TempDir
    Path dir;

    @Test
    void promtoolAcceptsTheTrackersMetrics() throws Exception {
        Promtool.ensure(dir);
        try (RawClient a = session(false, 4001); RawClient b = session(true, 4002)) {
            announce(a, file(id(1), "movie.mp4", true));
            announce(b, file(id(1), "other.mp4", true)); // refused: a conflict
            announce(b, live(id(2), "cam"));
            b.send(Lookup.byName("movie.mp4", 5));
            b.expect(MessageType.PEERS, Peers::decode);
            Promtool.assertAccepts(dir, metrics());
        }
    }
}
