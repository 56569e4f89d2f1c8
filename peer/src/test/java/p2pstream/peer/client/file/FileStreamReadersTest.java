package p2pstream.peer.client.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.EventLoop;
import p2pstream.peer.playback.Reader;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Timings;
import p2pstream.peer.viewer.Viewer;
import p2pstream.tracker.Tracker;

/**
 * How a file stream tells its readers of arrivals: a reader that joins on the stream's loop hears of every chunk
 * verified from then on, even one whose verification was already waiting in the loop's queue (a gateway response
 * that found its next chunk missing once waited for it forever under load).
 */
@Timeout(60)
class FileStreamReadersTest {
    @TempDir
    Path dir;

    @Test
    void aReaderJoiningOnTheLoopHearsOfAChunkWhoseArrivalWasAlreadyQueued() throws Exception {
        Path media = Files.createDirectories(dir.resolve("media"));
        byte[] bytes = new byte[64 << 18]; // 64 chunks of 256 KiB
        new Random(7).nextBytes(bytes);
        Files.write(media.resolve("film.mkv"), bytes);
        // 256 KiB/s up: the last chunk, far outside the first window, is not fetched while the test runs
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = PeerServer.start(PeerServer.Config.loopback(tracker.address(), media)
                     .withUploadLimit(256 << 10))) {
            server.announced().get(10, TimeUnit.SECONDS);
            Viewer viewer = new Viewer(new Viewer.Config(tracker.address(), false, 0, 0,
                    InetAddress.getLoopbackAddress(), Timings.DEFAULT));
            try {
                StreamRequest request = new StreamRequest("film.mkv", List.of(), 8, 4, 10_000, 2_000, null, 0, 0,
                        2_000, Files.createDirectories(dir.resolve("cache")));
                FileStream stream = (FileStream) viewer.open(request).get(20, TimeUnit.SECONDS);
                int last = stream.manifest().chunkCount() - 1;
                CompletableFuture<Integer> heard = new CompletableFuture<>();
                // it asks for nothing (a playhead past the end), so only the queued hand-over can tell it
                Reader reader = new Reader() {
                    @Override
                    public int playhead() {
                        return last + 1;
                    }

                    @Override
                    public void onArrived(int index) {
                        if (index == last) {
                            heard.complete(index);
                        }
                    }
                };
                EventLoop loop = viewer.loop();
                CompletableFuture<Boolean> missingAtJoin = new CompletableFuture<>();
                loop.execute(() -> {
                    // the verifier's hand-over of the last chunk, queued before the reader joins
                    loop.execute(() -> stream.onArrived(last));
                    stream.addReader(reader);
                    missingAtJoin.complete(!stream.arrivals().has(last));
                });
                assertTrue(missingAtJoin.get(10, TimeUnit.SECONDS), "chunk " + last + " was missing at the join");
                assertEquals(last, heard.get(10, TimeUnit.SECONDS));
                assertFalse(stream.isFinished());
            } finally {
                viewer.close();
            }
        }
    }
}
