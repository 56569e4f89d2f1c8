package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.Clock;
import p2pstream.peer.client.file.FileStream;
import p2pstream.peer.client.live.LiveStream;
import p2pstream.peer.playback.FilePlayer;
import p2pstream.peer.playback.LivePlayer;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Timings;
import p2pstream.peer.swarm.ViewerStream;
import p2pstream.peer.viewer.Viewer;

/** One viewer, many streams, many readers: the shape the HTTP gateway builds on. */
@Timeout(60)
class ViewerTest {
    @TempDir
    Path dir;

    @Test
    void oneViewerOpensAFileStreamAndALiveStreamAtOnceAndBothComplete() throws Exception {
        Path source = TestSwarm.randomFile(dir, "movie.bin", 4 << 20, 31);
        try (TestLive live = TestLive.start("cam", 256_000, 2_500, 0, 1);
             PeerServer seed = PeerServer.start(PeerServer.Config.loopback(live.tracker.address(), dir));
             Viewer viewer = new Viewer(new Viewer.Config(live.tracker.address(), true, 0, 0,
                     InetAddress.getLoopbackAddress(), Timings.DEFAULT))) {
            seed.announced().get(10, TimeUnit.SECONDS);
            CompletableFuture<ViewerStream> file = viewer.open(StreamRequest.of("movie.bin"));
            CompletableFuture<ViewerStream> cam = viewer.open(StreamRequest.of("cam"));

            FileStream f = (FileStream) file.get(10, TimeUnit.SECONDS);
            LiveStream l = (LiveStream) cam.get(10, TimeUnit.SECONDS);
            ByteArrayOutputStream liveOut = new ByteArrayOutputStream();
            LivePlayer livePlayer = new LivePlayer(Channels.newChannel(liveOut), 128, false, Clock.SYSTEM);
            new Thread(livePlayer, "live-player").start();
            viewer.loop().execute(() -> l.reader(livePlayer));
            ByteArrayOutputStream fileOut = new ByteArrayOutputStream();
            FilePlayer filePlayer = play(f, 0, fileOut);

            filePlayer.result().get(30, TimeUnit.SECONDS);
            livePlayer.result().get(30, TimeUnit.SECONDS);
            assertArrayEquals(Files.readAllBytes(source), fileOut.toByteArray(), "the file stream's bytes");
            byte[] liveBytes = liveOut.toByteArray();
            int start = live.startOf(liveBytes);
            assertTrue(liveBytes.length > 0 && start >= 0, "the live output is the stream from some chunk to its end: "
                    + live.explain(liveBytes));
            assertTrue(onLoop(viewer, l::ended), "the live stream saw its signed end");
            assertTrue(viewer.catalog().holding(f.contentId()) != null
                    && viewer.catalog().holding(l.contentId()) != null, "the viewer serves both");
        }
    }

    @Test
    void twoReadersAtDifferentPlayheadsGetIdenticalBytesAndEveryChunkIsFetchedOnce() throws Exception {
        int size = 8 << 20;
        int window = 4;
        Path source = TestSwarm.randomFile(dir, "film.bin", size, 32);
        byte[] bytes = Files.readAllBytes(source);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "film.bin", 1, 0);
             Viewer viewer = new Viewer(new Viewer.Config(swarm.tracker.address(), false, 0, 0,
                     InetAddress.getLoopbackAddress(), Timings.DEFAULT))) {
            StreamRequest request = new StreamRequest("film.bin", List.of(), 8, window, 20_000, 2_000,
                    null, 0, 0, 2_000, null);
            FileStream f = (FileStream) viewer.open(request).get(10, TimeUnit.SECONDS);
            Manifest m = f.manifest();
            assertTrue(m.chunkCount() >= 4 * window, "chunks: " + m.chunkCount() + " (expected: windows apart)");
            int middle = m.chunkCount() / 2;
            ByteArrayOutputStream fromStart = new ByteArrayOutputStream();
            ByteArrayOutputStream fromMiddle = new ByteArrayOutputStream();
            FilePlayer a = play(f, 0, fromStart);
            FilePlayer b = play(f, middle, fromMiddle);

            a.result().get(30, TimeUnit.SECONDS);
            b.result().get(30, TimeUnit.SECONDS);
            assertArrayEquals(bytes, fromStart.toByteArray(), "the reader from the start");
            assertArrayEquals(Arrays.copyOfRange(bytes, (int) m.chunkOffset(middle), bytes.length),
                    fromMiddle.toByteArray(), "the reader from the middle");
            assertEquals((long) bytes.length, (long) onLoop(viewer, f::fetchedBytes),
                    "every chunk fetched once, none twice");
            long received = onLoop(viewer, () -> viewer.catalog().traffic().peerBytes().stream()
                    .mapToLong(p -> p.bytes()).sum());
            assertEquals(bytes.length, received, "bytes received from the seed: the file once");
        }
    }

    /** A player of {@code s} from chunk {@code start}, attached as a reader and started. */
    private static FilePlayer play(FileStream s, int start, ByteArrayOutputStream out) {
        FilePlayer p = new FilePlayer(s.manifest(), s.store(), s.arrivals(), start, s.window(), s::onReaderMoved,
                Channels.newChannel(out), Clock.SYSTEM, false, FilePlayer.Pacing.NONE);
        s.addReader(p);
        new Thread(p, "player-from-" + start).start();
        return p;
    }

    private static <T> T onLoop(Viewer viewer, Supplier<T> query) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        viewer.loop().execute(() -> f.complete(query.get()));
        return f.get(10, TimeUnit.SECONDS);
    }
}
