package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.WireBytes.frame;
import static p2pstream.common.wire.ErrorCode.OUT_OF_RANGE;
import static p2pstream.peer.server.PeerSteps.fetch;
import static p2pstream.peer.server.PeerSteps.fetchAll;
import static p2pstream.peer.server.PeerSteps.peerHello;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Reject;
import p2pstream.peer.store.Manifest;

/**
 * What a peer-server serves around the edges of good input: chunks with the file's bytes in any order, harmless
 * CANCEL, HAVE and BITFIELD, a short last chunk, and REJECT (unavailable) for chunks of a file cut under it.
 */
class PeerServerServingTest extends PeerServerFixture {

    @Test
    @Timeout(30)
    void goodRequestGetsAChunkWithTheFilesBytesAtThatOffset() throws Exception {
        try (RawClient c = connect()) {
            peerHello(c, manifest);
            int n = manifest.chunkCount();
            fetch(c, manifest, file, n - 1, 0, n / 2, 0, n - 1); // any order, repeats allowed once served
            for (int i = 0; i < n; i++) {
                c.send(IndexMessage.request(i));
                RawClient.Frame f = c.read();
                assertEquals(MessageType.CHUNK.code(), f.type(), f.describe());
                ByteBuffer p = f.buffer();
                assertEquals(i, p.getInt(), "CHUNK: <len><type=0x26><index:u32><bytes>");
                byte[] bytes = new byte[p.remaining()];
                p.get(bytes);
                int offset = i * manifest.chunkSize();
                assertTrue(Arrays.equals(Arrays.copyOfRange(file, offset, offset + manifest.chunkLength(i)), bytes),
                        "chunk " + i);
            }
            c.assertServed();
        }
    }

    @Test
    @Timeout(30)
    void cancelAndHaveForValidIndexesAreHarmless() throws Exception {
        try (RawClient c = connect()) {
            peerHello(c, manifest);
            byte[] bits = new byte[(manifest.chunkCount() + 7) / 8];
            bits[0] = (byte) 0x80;
            c.sendBytes(frame(MessageType.BITFIELD.code(), bits));
            c.send(IndexMessage.cancel(0), IndexMessage.have(1), EmptyMessage.HAVE_ALL, EmptyMessage.PONG,
                    IndexMessage.cancel(manifest.chunkCount() - 1), EmptyMessage.PING);
            c.expect(MessageType.PONG, b -> b);
            fetchAll(c, manifest, file);
        }
    }

    @Test
    @Timeout(30)
    void lastShortChunkHasExactlyTheRemainingBytes(@TempDir Path other) throws Exception {
        byte[] odd = new byte[FILE_BYTES + 12_345];
        new Random(99).nextBytes(odd);
        Files.write(other.resolve("odd.bin"), odd);
        try (PeerServer s = PeerServer.start(PeerServer.Config.loopback(tracker.address(), other));
             RawClient c = PeerSteps.connect(s.address())) {
            Manifest m = s.manifests().get(0);
            int last = m.chunkCount() - 1;
            assertEquals(12_345, m.chunkLength(last));
            peerHello(c, m);
            fetch(c, m, odd, last, 0, last);
            c.send(IndexMessage.request(last + 1));
            c.expectErrorThenEof(OUT_OF_RANGE);
        }
    }

    @Test
    @Timeout(30)
    void fileTruncatedUnderTheServerGetsRejectUnavailableAndTheConnectionStaysUsable() throws Exception {
        int keep = manifest.chunkLength(0) + 1000; // chunk 0 whole, chunk 1 cut short, the rest gone
        try (FileChannel ch = FileChannel.open(dir.resolve("movie.bin"), StandardOpenOption.WRITE)) {
            ch.truncate(keep);
        }
        try (RawClient c = connect()) {
            peerHello(c, manifest);
            fetch(c, manifest, file, 0);
            for (int i = 1; i < manifest.chunkCount(); i++) {
                c.send(IndexMessage.request(i));
                RawClient.Frame f = c.read();
                assertEquals(MessageType.REJECT.code(), f.type(), "chunk " + i + ": " + f.describe());
                Reject r = Reject.decode(f.buffer());
                assertEquals(i, r.index());
                assertEquals(Reject.Reason.UNAVAILABLE, r.reason());
            }
            c.assertServed();
            fetch(c, manifest, file, 0);
        }
    }
}
