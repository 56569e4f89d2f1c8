package p2pstream.peer.client.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.Role;
import p2pstream.peer.store.Manifest;

/**
 * A file link reads a CHUNK's payload straight into a buffer of its owner's and gives every such buffer back: with
 * the chunk when it arrives whole, to be recycled when it is cut off by a close or is malformed. A peer on a real
 * loopback socket that does the handshake and then sends what each case needs.
 */
@Timeout(60)
class FilePeerBufferTest {
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final long WAIT_SECONDS = 10;

    private final byte[] content = new byte[2 * CHUNK_BYTES];
    private Manifest manifest;
    private EventLoop loop;
    private ServerSocket server;
    private final Owner owner = new Owner();

    /** The stream's side of the link: buffers given, taken back, chunks delivered in them. */
    final class Owner implements FilePeer.Owner {
        final List<ByteBuffer> given = new CopyOnWriteArrayList<>();
        final List<ByteBuffer> recycled = new CopyOnWriteArrayList<>();
        final List<ByteBuffer> pooledChunks = new CopyOnWriteArrayList<>();
        final CountDownLatch ready = new CountDownLatch(1);
        final CompletableFuture<String> closed = new CompletableFuture<>();

        @Override
        public int onManifest(FilePeer peer, byte[] encoded) {
            return ChunkHeader.BYTES + CHUNK_BYTES;
        }

        @Override
        public int chunkCount() {
            return manifest.chunkCount();
        }

        @Override
        public void onPeerReady(FilePeer peer) {
            ready.countDown();
        }

        @Override
        public void onHave(FilePeer peer, int index) {
        }

        @Override
        public void onChunk(FilePeer peer, int index, ByteBuffer payload) {
            throw new AssertionError("chunk " + index + " copied: it should have come in a buffer of ours");
        }

        @Override
        public ByteBuffer chunkBuffer(int payloadBytes) {
            ByteBuffer b = ByteBuffer.allocateDirect(ChunkBuffers.INDEX_BYTES + CHUNK_BYTES);
            given.add(b);
            return b;
        }

        @Override
        public void recycle(ByteBuffer buffer) {
            recycled.add(buffer);
        }

        @Override
        public void onPooledChunk(FilePeer peer, int index, ByteBuffer payload) {
            assertEquals(ChunkBuffers.INDEX_BYTES, payload.position(), "the chunk's bytes start after its index");
            byte[] bytes = new byte[payload.remaining()];
            payload.duplicate().get(bytes);
            assertArrayEquals(Arrays.copyOfRange(content, index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES), bytes);
            pooledChunks.add(payload);
        }

        @Override
        public void onReject(FilePeer peer, int index, Reject.Reason reason) {
        }

        @Override
        public void onPeerClosed(FilePeer peer, FilePeer.Phase was, String reason) {
            closed.complete(reason);
        }
    }

    @BeforeEach
    void start() throws IOException {
        new SplittableRandom(5).nextBytes(content);
        byte[] hashes = new byte[2 * Manifest.HASH_BYTES];
        for (int i = 0; i < 2; i++) {
            byte[] h = Manifest.sha256().digest(Arrays.copyOfRange(content, i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES));
            System.arraycopy(h, 0, hashes, i * Manifest.HASH_BYTES, Manifest.HASH_BYTES);
        }
        manifest = new Manifest("two.bin", content.length, CHUNK_BYTES, hashes);
        loop = new EventLoop("file-peer").start();
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        loop.close();
    }

    /** Connects a link, plays the seed's side of the handshake and returns the seed's socket. */
    private Socket readyLink() throws Exception {
        Hello ours = new Hello(Role.CLIENT, PeerId.random(), 0, manifest.contentId());
        FilePeer peer = new FilePeer(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), ours,
                loop.clock(), 0, owner);
        loop.execute(() -> peer.connect(loop, null, null)); // plaintext: the test speaks the frames itself
        Socket s = server.accept();
        s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        DataInputStream in = new DataInputStream(s.getInputStream());
        in.readFully(new byte[in.readInt()]); // their HELLO
        send(s, new Hello(Role.SERVER, PeerId.random(), 0, manifest.contentId()));
        send(s, new ManifestMessage(manifest.encoded()));
        send(s, EmptyMessage.HAVE_ALL);
        assertTrue(owner.ready.await(WAIT_SECONDS, TimeUnit.SECONDS), "the link did not become ready");
        return s;
    }

    private static void send(Socket s, Message m) throws IOException {
        ByteBuffer f = Frames.encode(m);
        s.getOutputStream().write(f.array(), f.arrayOffset() + f.position(), f.remaining());
    }

    private byte[] chunkFrame(int index) {
        ByteBuffer head = ChunkHeader.encode(index, CHUNK_BYTES);
        byte[] frame = new byte[head.remaining() + CHUNK_BYTES];
        head.get(frame, 0, head.remaining());
        System.arraycopy(content, index * CHUNK_BYTES, frame, ChunkHeader.BYTES, CHUNK_BYTES);
        return frame;
    }

    /** Sends {@code frame} up to {@code to}, then waits until the link asked its owner for a buffer. */
    private void sendUntilAsked(OutputStream out, byte[] frame, int to, int buffers) throws Exception {
        out.write(frame, 0, to);
        out.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (owner.given.size() < buffers) {
            assertTrue(System.nanoTime() < deadline, "the link asked for no buffer");
            Thread.onSpinWait();
        }
    }

    @Test
    void aChunkArrivesInTheOwnersBufferAndACutOffOneIsGivenBack() throws Exception {
        try (Socket s = readyLink()) {
            OutputStream out = s.getOutputStream();
            byte[] first = chunkFrame(0);
            sendUntilAsked(out, first, 100, 1);
            out.write(first, 100, first.length - 100);
            byte[] second = chunkFrame(1);
            sendUntilAsked(out, second, CHUNK_BYTES / 2, 2); // half of chunk 1, then the seed goes away
            s.close();
            assertEquals("closed by peer", owner.closed.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        assertEquals(1, owner.pooledChunks.size());
        assertSame(owner.given.get(0), owner.pooledChunks.get(0), "chunk 0 came in the buffer given for it");
        assertEquals(List.of(owner.given.get(1)), owner.recycled, "the cut-off buffer was not given back");
    }

    @Test
    void aMalformedChunkInTheOwnersBufferIsGivenBack() throws Exception {
        try (Socket s = readyLink()) {
            OutputStream out = s.getOutputStream();
            byte[] tooShort = {0, 0, 0, 3, (byte) MessageType.CHUNK.code(), 1, 2}; // a CHUNK of 2 bytes: no index
            sendUntilAsked(out, tooShort, Frames.HEADER_BYTES, 1);
            out.write(tooShort, Frames.HEADER_BYTES, 2);
            out.flush();
            assertTrue(owner.closed.get(WAIT_SECONDS, TimeUnit.SECONDS).startsWith("MALFORMED"));
        }
        assertTrue(owner.pooledChunks.isEmpty());
        assertEquals(owner.given, owner.recycled, "the malformed chunk's buffer was not given back");
    }
}
