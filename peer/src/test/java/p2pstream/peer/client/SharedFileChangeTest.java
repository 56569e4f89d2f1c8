package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Wire;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.store.Manifest;

/**
 * A peer-server's shared file truncated or deleted while a viewer streams from it and a second server: the
 * viewer completes with identical bytes, the server keeps running, and its directory watch re-shares or withdraws the
 * file.
 */
class SharedFileChangeTest {
    private static final int FILE_BYTES = 16 * 1024 * 1024;
    /** ~8 MB/s per server: the stream lasts about a second, long enough to change a file part-way. */
    private static final long UPLOAD_LIMIT = 8_000_000;

    @TempDir
    Path dir;

    @HostileCase(value = "Shared file truncated to half while a viewer streams from it and from a second server"
            + " (peer-server)",
            expect = "requests for the lost half get REJECT (or the transfer in flight is cut); the server keeps"
                    + " running; the viewer completes with identical SHA-256; once the file holds still the server"
                    + " withdraws the old content id and shares the half as a stream of its own",
            section = HostileCase.FAULTS)
    @Timeout(90)
    void truncatedFileGetsRejectsWhileTheViewerCompletesFromTheOtherServer(Trial trial) throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", FILE_BYTES, 71);
        byte[] bytes = Files.readAllBytes(source);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "film.bin", 2, UPLOAD_LIMIT)) {
            PeerServer victim = swarm.servers.get(0);
            Manifest whole = victim.manifests().get(0);
            Path victimFile = swarm.dirs.get(0).resolve("film.bin");
            Stats stats = streamWhile(swarm, () -> {
                try (FileChannel f = FileChannel.open(victimFile, StandardOpenOption.WRITE)) {
                    f.truncate(FILE_BYTES / 2);
                }
            });
            assertEquals(TestSwarm.sha256(source), stats.sha256());
            trial.record("viewer streams completed with identical SHA-256", 1);
            trial.record("MiB the viewer got from the truncated server", bytesFrom(stats, victim) / 1048576.0);

            // the directory watch re-hashes the changed file: the half is a stream of its own, the whole is gone
            await("the truncated file shared as a new stream", () -> victim.manifests().size() == 1
                    && victim.manifests().get(0).size() == FILE_BYTES / 2);
            Manifest half = victim.manifests().get(0);
            try (RawClient c = hello(victim, half)) {
                c.send(IndexMessage.request(0), IndexMessage.request(half.chunkCount() - 1));
                assertChunk(c.read(), half, bytes, 0);
                assertChunk(c.read(), half, bytes, half.chunkCount() - 1);
                c.assertServed();
            }
            try (RawClient c = RawClient.secure(victim.address(), Wire.MAX_PEER_FRAME_BYTES)) {
                c.send(new Hello(Role.CLIENT, RawClient.PEER_ID, 0, whole.contentId()));
                c.expectError(ErrorCode.NOT_FOUND);
            }
            trial.record("old content id refused (NOT_FOUND) and the half served once re-hashed", 1);
        }
    }

    @HostileCase(value = "Shared file deleted while a viewer streams from it and from a second server (peer-server)",
            expect = "the viewer completes with identical SHA-256 (what the server no longer has comes from the other);"
                    + " the server keeps running and withdraws the file from the tracker", section = HostileCase.FAULTS)
    @Timeout(90)
    void deletedFileIsWithdrawnAndTheViewerCompletes(Trial trial) throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", FILE_BYTES, 72);
        byte[] bytes = Files.readAllBytes(source);
        try (TestSwarm swarm = TestSwarm.start(dir, source, "film.bin", 2, UPLOAD_LIMIT)) {
            PeerServer victim = swarm.servers.get(0);
            Path victimFile = swarm.dirs.get(0).resolve("film.bin");
            Stats stats = streamWhile(swarm, () -> Files.delete(victimFile));
            assertEquals(TestSwarm.sha256(source), stats.sha256());
            trial.record("viewer streams completed with identical SHA-256", 1);
            trial.record("MiB the viewer got from the server whose file was deleted",
                    bytesFrom(stats, victim) / 1048576.0);

            await("the deleted file withdrawn", () -> victim.manifests().isEmpty() && victim.streamCount() == 0);
            try (RawClient t = RawClient.secure(swarm.tracker.address())) {
                t.trackerHello(0);
                t.send(Lookup.byName("film.bin", 10));
                Peers p = t.expect(MessageType.PEERS, Peers::decode);
                assertTrue(p.peers().stream().noneMatch(e -> e.peerId().equals(victim.peerId())), p.toString());
            }
            trial.record("deleted file withdrawn from the tracker", 1);
        }
    }

    /** A change to make to the files while the viewer streams. */
    private interface Change {
        void apply() throws IOException;
    }

    /** Streams film.bin into out.bin and applies {@code change} once 2 MiB are in; returns the figures. */
    private Stats streamWhile(TestSwarm swarm, Change change) throws Exception {
        Path out = dir.resolve("out.bin");
        CompletableFuture<Stats> viewer = CompletableFuture.supplyAsync(() -> {
            try {
                return TestSwarm.download(swarm.config("film.bin").withUpload(false), out);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sizeOf(out) < 2 * 1024 * 1024 && !viewer.isDone() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(2_000_000); // poll the output until the stream is under way
        }
        assertTrue(!viewer.isDone(), "the stream ended before the file changed: nothing was tested");
        change.apply();
        return viewer.get(60, TimeUnit.SECONDS);
    }

    private static RawClient hello(PeerServer server, Manifest m) throws Exception {
        RawClient c = RawClient.secure(server.address(), Wire.MAX_PEER_FRAME_BYTES);
        c.send(new Hello(Role.CLIENT, RawClient.PEER_ID, 0, m.contentId()));
        c.expect(MessageType.HELLO, Hello::decode);
        c.expect(MessageType.MANIFEST, ManifestMessage::decode);
        c.expect(MessageType.HAVE_ALL, b -> EmptyMessage.decode(MessageType.HAVE_ALL, b));
        return c;
    }

    private static void assertChunk(RawClient.Frame f, Manifest m, byte[] bytes, int index) throws Exception {
        assertEquals(MessageType.CHUNK.code(), f.type(), f.describe());
        ByteBuffer payload = f.buffer();
        assertEquals(index, ChunkHeader.decodeIndex(payload));
        int offset = (int) m.chunkOffset(index);
        byte[] got = new byte[payload.remaining()];
        payload.get(got);
        assertArrayEquals(Arrays.copyOfRange(bytes, offset, offset + m.chunkLength(index)), got, "chunk " + index);
    }

    private static long bytesFrom(Stats stats, PeerServer server) {
        String name = "127.0.0.1:" + server.address().getPort();
        return stats.peers().stream().filter(p -> p.address().equals(name)).mapToLong(Stats.PeerBytes::bytes).sum();
    }

    private static long sizeOf(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
