package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.Manifest;

/**
 * The peer-protocol steps a raw test client takes against a peer-server: the HELLO exchange and chunk requests,
 * each answer checked against the manifest and the file's bytes.
 */
final class PeerSteps {
    private PeerSteps() {
    }

    /** A raw client that accepts frames up to a CHUNK of the largest chunk. */
    static RawClient connect(InetSocketAddress server) throws IOException {
        return RawClient.secure(server, Wire.MAX_PEER_FRAME_BYTES);
    }

    /**
     * HELLO for {@code m}'s content id, then checks the server's answer: HELLO (role SERVER, same content
     * id), MANIFEST (exactly {@code m}'s encoding, whose SHA-256 is the content id) and HAVE_ALL.
     */
    static void peerHello(RawClient c, Manifest m) throws IOException, ProtocolException {
        c.send(new Hello(Role.CLIENT, c.peerId, 0, m.contentId()));
        Hello h = c.expect(MessageType.HELLO, Hello::decode);
        assertEquals(Role.SERVER, h.role());
        assertEquals(m.contentId(), h.contentId());
        ManifestMessage mm = c.expect(MessageType.MANIFEST, ManifestMessage::decode);
        assertTrue(Arrays.equals(m.encoded(), mm.encoded()), "MANIFEST carries the manifest's encoding");
        assertEquals(m.contentId(), Manifest.decode(mm.encoded(), m.contentId()).contentId());
        c.expect(MessageType.HAVE_ALL, b -> EmptyMessage.decode(MessageType.HAVE_ALL, b));
    }

    /** Checks a frame is a CHUNK of {@code m} whose bytes are the file's bytes at its offset; returns its index. */
    static int checkChunk(RawClient.Frame f, Manifest m, byte[] file) throws ProtocolException {
        assertEquals(MessageType.CHUNK.code(), f.type(), () -> "expected CHUNK, got " + f.describe());
        ByteBuffer payload = f.buffer();
        int index = ChunkHeader.decodeIndex(payload);
        assertTrue(index < m.chunkCount(), "chunk index " + index);
        int length = m.chunkLength(index);
        assertEquals(length, payload.remaining(), "chunk " + index + " length");
        int offset = (int) m.chunkOffset(index);
        assertTrue(Arrays.equals(file, offset, offset + length, f.payload(), 4, 4 + length),
                "chunk " + index + " bytes equal the file's bytes at offset " + offset);
        return index;
    }

    /** Requests {@code indexes} in one write and checks every CHUNK that comes back, in order. */
    static void fetch(RawClient c, Manifest m, byte[] file, int... indexes) throws IOException, ProtocolException {
        ByteBuffer b = ByteBuffer.allocate(indexes.length * (Frames.HEADER_BYTES + 4));
        for (int i : indexes) {
            Frames.encode(IndexMessage.request(i), b);
        }
        c.sendBytes(b.array());
        for (int i : indexes) {
            assertEquals(i, checkChunk(c.read(), m, file), "chunks come back in request order");
        }
    }

    /** Fetches every chunk of {@code m} and checks the bytes. */
    static void fetchAll(RawClient c, Manifest m, byte[] file) throws IOException, ProtocolException {
        int[] all = new int[m.chunkCount()];
        Arrays.setAll(all, i -> i);
        fetch(c, m, file, all);
    }
}
