package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import p2pstream.common.net.FrameDecoder;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Welcome;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.Manifest;

/**
 * A blocking raw-socket client for adversarial peer-server and tracker tests: sends any bytes, reads frames with
 * {@link FrameDecoder}, and checks how the server answers and closes. Not thread-safe; one per test thread.
 */
final class RawPeerClient implements AutoCloseable {
    static final int READ_TIMEOUT_MILLIS = 10_000;
    static final long WAIT_MILLIS = 10_000;

    /** One frame as received: its type byte and a copy of its payload. */
    record Frame(int type, byte[] payload) {
        ByteBuffer buffer() {
            return ByteBuffer.wrap(payload);
        }

        String describe() {
            if (type == MessageType.ERROR.code()) {
                try {
                    ErrorMessage e = ErrorMessage.decode(buffer());
                    return "ERROR " + e.codeName() + " \"" + e.message() + "\"";
                } catch (ProtocolException x) {
                    return "undecodable ERROR";
                }
            }
            try {
                return MessageType.of(type) + " (" + payload.length + " payload bytes)";
            } catch (ProtocolException x) {
                return "type 0x" + Integer.toHexString(type);
            }
        }
    }

    /** How a connection ended, and what came before the end. */
    record Ending(List<Frame> frames, boolean reset) {
        List<ErrorMessage> errors() throws ProtocolException {
            List<ErrorMessage> list = new ArrayList<>();
            for (Frame f : frames) {
                if (f.type() == MessageType.ERROR.code()) {
                    list.add(ErrorMessage.decode(f.buffer()));
                }
            }
            return list;
        }
    }

    /** Decodes a frame payload into a message. */
    interface Decoder<T> {
        T decode(ByteBuffer payload) throws ProtocolException;
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final FrameDecoder decoder;
    private final int maxFrameBytes;
    final PeerId peerId = PeerId.random();

    private RawPeerClient(Socket socket, int maxFrameBytes) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.maxFrameBytes = maxFrameBytes;
        this.decoder = new FrameDecoder(maxFrameBytes);
    }

    /** A client that accepts frames up to a CHUNK of the largest chunk. */
    static RawPeerClient connect(InetSocketAddress address) throws IOException {
        return connect(address, Wire.MAX_PEER_FRAME_BYTES);
    }

    static RawPeerClient connect(InetSocketAddress address, int maxFrameBytes) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            s.connect(address, READ_TIMEOUT_MILLIS);
            return new RawPeerClient(s, maxFrameBytes);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    // ---- sending ----

    /** Sends the messages as frames in one write. */
    RawPeerClient send(Message... messages) throws IOException {
        int total = 0;
        for (Message m : messages) {
            total += Frames.HEADER_BYTES + m.payloadLength();
        }
        ByteBuffer b = ByteBuffer.allocate(total);
        for (Message m : messages) {
            Frames.encode(m, b);
        }
        return sendBytes(b.array());
    }

    RawPeerClient sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends one frame with a correct length prefix and any type byte and payload. */
    RawPeerClient sendFrame(int type, byte[] payload) throws IOException {
        return sendBytes(frame(type, payload));
    }

    static byte[] frame(int type, byte[] payload) {
        return ByteBuffer.allocate(Frames.HEADER_BYTES + payload.length)
                .putInt(1 + payload.length).put((byte) type).put(payload).array();
    }

    /** The whole frame {@link Frames#encode} makes for {@code m}. */
    static byte[] encoded(Message m) {
        ByteBuffer b = Frames.encode(m);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    /** The payload (after the type byte) of {@code m}'s frame. */
    static byte[] payload(Message m) {
        byte[] all = encoded(m);
        byte[] p = new byte[all.length - Frames.HEADER_BYTES];
        System.arraycopy(all, Frames.HEADER_BYTES, p, 0, p.length);
        return p;
    }

    static byte[] u32(long v) {
        return ByteBuffer.allocate(4).putInt((int) v).array();
    }

    static Hello helloFrom(PeerId id, int listenPort) {
        return new Hello(Role.CLIENT, id, listenPort, null);
    }

    /** HELLO (role CLIENT, this client's peer id) to a tracker, and its WELCOME. */
    Welcome trackerHello(int listenPort) throws IOException, ProtocolException {
        send(helloFrom(peerId, listenPort));
        return expect(MessageType.WELCOME, Welcome::decode);
    }

    /**
     * HELLO for {@code m}'s content id, then checks the server's answer: HELLO (role SERVER, same content
     * id), MANIFEST (exactly {@code m}'s encoding, whose SHA-256 is the content id) and HAVE_ALL.
     */
    void peerHello(Manifest m) throws IOException, ProtocolException {
        send(new Hello(Role.CLIENT, peerId, 0, m.contentId()));
        Hello h = expect(MessageType.HELLO, Hello::decode);
        assertEquals(Role.SERVER, h.role());
        assertEquals(m.contentId(), h.contentId());
        ManifestMessage mm = expect(MessageType.MANIFEST, ManifestMessage::decode);
        assertTrue(Arrays.equals(m.encoded(), mm.encoded()), "MANIFEST carries the manifest's encoding");
        assertEquals(m.contentId(), Manifest.decode(mm.encoded(), m.contentId()).contentId());
        expect(MessageType.HAVE_ALL, b -> EmptyMessage.decode(MessageType.HAVE_ALL, b));
    }

    /** Checks a frame is a CHUNK of {@code m} whose bytes are the file's bytes at its offset; returns its index. */
    static int checkChunk(Frame f, Manifest m, byte[] file) throws ProtocolException {
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
    void fetch(Manifest m, byte[] file, int... indexes) throws IOException, ProtocolException {
        ByteBuffer b = ByteBuffer.allocate(indexes.length * (Frames.HEADER_BYTES + 4));
        for (int i : indexes) {
            Frames.encode(IndexMessage.request(i), b);
        }
        sendBytes(b.array());
        for (int i : indexes) {
            assertEquals(i, checkChunk(read(), m, file), "chunks come back in request order");
        }
    }

    /** Fetches every chunk of {@code m} and checks the bytes. */
    void fetchAll(Manifest m, byte[] file) throws IOException, ProtocolException {
        int[] all = new int[m.chunkCount()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        fetch(m, file, all);
    }

    void soTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Closes with a TCP reset instead of a FIN. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---- receiving ----

    /** The next frame, or null when the server closed cleanly between frames. */
    Frame readOrEof() throws IOException, ProtocolException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        byte[] prefix = new byte[Wire.LENGTH_FIELD_BYTES];
        prefix[0] = (byte) first;
        in.readFully(prefix, 1, prefix.length - 1);
        long length = ByteBuffer.wrap(prefix).getInt() & 0xffffffffL;
        assertTrue(length >= 1 && length <= maxFrameBytes, "server sent frame length " + length);
        byte[] whole = new byte[Wire.LENGTH_FIELD_BYTES + (int) length];
        System.arraycopy(prefix, 0, whole, 0, prefix.length);
        in.readFully(whole, prefix.length, (int) length);
        ByteBuffer buffer = ByteBuffer.wrap(whole);
        ByteBuffer view = decoder.next(buffer);
        assertTrue(view != null && !buffer.hasRemaining(), "decoder took the whole frame");
        byte[] payload = new byte[view.remaining()];
        view.get(payload);
        return new Frame(decoder.type(), payload);
    }

    Frame read() throws IOException, ProtocolException {
        Frame f = readOrEof();
        if (f == null) {
            throw new EOFException("server closed the connection (expected: a frame)");
        }
        return f;
    }

    /** Reads one frame, which must be of type {@code type}, and decodes it. */
    <T> T expect(MessageType type, Decoder<T> d) throws IOException, ProtocolException {
        Frame f = read();
        assertEquals(type.code(), f.type(), () -> "expected " + type + ", got " + f.describe());
        return d.decode(f.buffer());
    }

    /** Reads one frame, which must be an ERROR with {@code code}. */
    ErrorMessage expectError(ErrorCode... codes) throws IOException, ProtocolException {
        Frame f = read();
        assertEquals(MessageType.ERROR.code(), f.type(), () -> "expected ERROR " + List.of(codes) + ", got " + f.describe());
        ErrorMessage e = ErrorMessage.decode(f.buffer());
        assertTrue(List.of(codes).contains(ErrorCode.of(e.code())),
                () -> "expected ERROR " + List.of(codes) + ", got " + e.codeName() + " \"" + e.message() + "\"");
        return e;
    }

    /** The server closed cleanly: the next read returns -1, not data, not a reset, not a timeout. */
    void expectEof() throws IOException {
        int b;
        try {
            b = in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("server kept the connection open for " + READ_TIMEOUT_MILLIS + " ms (expected: EOF)", e);
        }
        assertEquals(-1, b, "expected EOF after the ERROR, got more bytes");
    }

    ErrorMessage expectErrorThenEof(ErrorCode... codes) throws IOException, ProtocolException {
        ErrorMessage e = expectError(codes);
        expectEof();
        return e;
    }

    /**
     * Reads frames until the server closes (EOF, or a reset when {@code allowReset}); fails when the server
     * keeps the connection open past the read timeout.
     */
    Ending readUntilClosed(boolean allowReset) throws IOException, ProtocolException {
        List<Frame> frames = new ArrayList<>();
        while (true) {
            Frame f;
            try {
                f = readOrEof();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("server kept the connection open for " + READ_TIMEOUT_MILLIS
                        + " ms after " + frames.size() + " frames (expected: close)", e);
            } catch (EOFException e) {
                return new Ending(frames, false); // closed in the middle of a frame
            } catch (SocketException e) {
                if (allowReset) {
                    return new Ending(frames, true);
                }
                throw e;
            }
            if (f == null) {
                return new Ending(frames, false);
            }
            frames.add(f);
        }
    }

    // ---- waiting ----

    /** Polls {@code condition} until it holds; fails after the deadline. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }
}
