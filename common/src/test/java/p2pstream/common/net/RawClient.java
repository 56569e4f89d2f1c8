package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import p2pstream.common.identity.Identity;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Welcome;
import p2pstream.common.wire.Wire;

/**
 * A blocking raw-socket test client for the tracker, the peer-server and bare event loops: it sends any bytes,
 * reads frames with {@link FrameDecoder}, and checks how the server answers and closes. Not thread-safe; one per
 * test thread.
 */
public final class RawClient implements AutoCloseable {
    /**
     * The identity secure raw clients prove unless given another, so that a test's HELLO frames, built before any
     * connection, carry the id their handshake proves: {@link #PEER_ID}.
     */
    public static final StaticKey KEY = StaticKey.of(Identity.generate());
    public static final PeerId PEER_ID = KEY.peerId();
    public static final int READ_TIMEOUT_MILLIS = 10_000;

    /** One frame as received: its type byte and a copy of its payload. */
    public record Frame(int type, byte[] payload) {
        public ByteBuffer buffer() {
            return ByteBuffer.wrap(payload);
        }

        public String describe() {
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
    public record Ending(List<Frame> frames, boolean reset) {
        public List<ErrorMessage> errors() throws ProtocolException {
            List<ErrorMessage> list = new ArrayList<>();
            for (Frame f : frames) {
                if (f.type() == MessageType.ERROR.code()) {
                    list.add(ErrorMessage.decode(f.buffer()));
                }
            }
            return list;
        }

        /** Nothing but at most one ERROR, with one of {@code codes}, came before the end. */
        public void assertAtMostOneErrorOf(Set<ErrorCode> codes, String what) throws ProtocolException {
            for (Frame f : frames) {
                assertEquals(MessageType.ERROR.code(), f.type(),
                        what + ": only an ERROR may come back, got " + f.describe());
            }
            assertTrue(frames.size() <= 1, what + ": at most one ERROR");
            for (ErrorMessage e : errors()) {
                assertTrue(codes.contains(ErrorCode.of(e.code())), what + ": " + e.codeName() + " " + e.message());
            }
        }
    }

    /** Decodes a frame payload into a message. */
    public interface Decoder<T> {
        T decode(ByteBuffer payload) throws ProtocolException;
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final FrameDecoder decoder;
    private final int maxFrameBytes;
    /** The id this client proves (secure) or only claims (plaintext); what its HELLO frames carry. */
    public final PeerId peerId;
    /** Whether REACH frames are read like any other (see {@link #readOrEof}). */
    private boolean keepReach;
    /** Secure, but the listener refused in clear before the handshake: what it sent is read as is. */
    public final boolean refusedInClear;

    private RawClient(Socket socket, int maxFrameBytes, StaticKey key) throws IOException {
        this.socket = socket;
        // buffered: two system calls per 5-byte frame would make the client, not the server, the bottleneck of a flood
        InputStream socketIn = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        OutputStream socketOut = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        if (key != null) {
            SecureStreams streams = SecureStreams.connect(socketIn, socketOut, key);
            this.in = new DataInputStream(streams.in);
            this.out = streams.out;
            this.refusedInClear = streams.refusedInClear;
            this.peerId = key.peerId();
        } else {
            this.in = new DataInputStream(socketIn);
            this.out = socketOut;
            this.refusedInClear = false;
            this.peerId = PeerId.random();
        }
        this.maxFrameBytes = maxFrameBytes;
        this.decoder = new FrameDecoder(maxFrameBytes);
    }

    /** A plaintext client (a listener without the secure transport) that accepts frames up to the control limit. */
    public static RawClient connect(InetSocketAddress address) throws IOException {
        return connect(address, Wire.MAX_CONTROL_FRAME_BYTES);
    }

    public static RawClient connect(InetSocketAddress address, int maxFrameBytes) throws IOException {
        return connect(address, maxFrameBytes, 0);
    }

    /** @param receiveBufferBytes SO_RCVBUF to ask for before connecting, 0 for the default */
    public static RawClient connect(InetSocketAddress address, int maxFrameBytes, int receiveBufferBytes)
            throws IOException {
        return connect(address, maxFrameBytes, receiveBufferBytes, null, null);
    }

    /** From {@code from} (e.g. 127.0.0.2: all of loopback's /8 is local), as another host on this machine would. */
    public static RawClient connectFrom(InetAddress from, InetSocketAddress address) throws IOException {
        return connect(address, Wire.MAX_CONTROL_FRAME_BYTES, 0, from, null);
    }

    /**
     * A client of a listener under the secure transport (the tracker's, a peer's): the handshake runs here, then
     * what it sends and reads is frames inside records, so the frames reach the server's decoder as written.
     */
    public static RawClient secure(InetSocketAddress address) throws IOException {
        return secure(address, Wire.MAX_CONTROL_FRAME_BYTES);
    }

    public static RawClient secure(InetSocketAddress address, int maxFrameBytes) throws IOException {
        return secure(address, maxFrameBytes, 0);
    }

    /** @param receiveBufferBytes SO_RCVBUF to ask for before connecting, 0 for the default */
    public static RawClient secure(InetSocketAddress address, int maxFrameBytes, int receiveBufferBytes)
            throws IOException {
        return connect(address, maxFrameBytes, receiveBufferBytes, null, KEY);
    }

    /** A secure client proving {@code key}'s identity (a test that needs clients told apart by id). */
    public static RawClient secure(InetSocketAddress address, StaticKey key) throws IOException {
        return connect(address, Wire.MAX_CONTROL_FRAME_BYTES, 0, null, key);
    }

    /** A secure client proving {@code key}'s identity that accepts frames up to {@code maxFrameBytes} (chunks). */
    public static RawClient secure(InetSocketAddress address, int maxFrameBytes, StaticKey key) throws IOException {
        return connect(address, maxFrameBytes, 0, null, key);
    }

    /** A secure client from {@code from}, as another host on this machine would be. */
    public static RawClient secureFrom(InetAddress from, InetSocketAddress address) throws IOException {
        return connect(address, Wire.MAX_CONTROL_FRAME_BYTES, 0, from, KEY);
    }

    private static RawClient connect(InetSocketAddress address, int maxFrameBytes, int receiveBufferBytes,
                                     InetAddress from, StaticKey key) throws IOException {
        Socket s = new Socket();
        try {
            if (from != null) {
                s.bind(new InetSocketAddress(from, 0));
            }
            if (receiveBufferBytes > 0) {
                s.setReceiveBufferSize(receiveBufferBytes);
            }
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            s.connect(address, READ_TIMEOUT_MILLIS);
            return new RawClient(s, maxFrameBytes, key);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    // ---- sending ----

    /** Sends the messages as frames in one write: they arrive together. */
    public RawClient send(Message... messages) throws IOException {
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

    public RawClient sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends one frame with a correct length prefix and any type byte and payload. */
    public RawClient sendFrame(int type, byte[] payload) throws IOException {
        return sendBytes(WireBytes.frame(type, payload));
    }

    /** From now on the tracker's REACH frames are read like any other, for tests of the dial-back. */
    public RawClient keepReach() {
        keepReach = true;
        return this;
    }

    /** HELLO to a tracker (role CLIENT, this client's peer id, no content id), and its WELCOME. */
    public Welcome trackerHello(int listenPort) throws IOException, ProtocolException {
        send(new Hello(Role.CLIENT, peerId, listenPort, null));
        return expect(MessageType.WELCOME, Welcome::decode);
    }

    /** A PING answered by a PONG: the server still serves this connection. */
    public void assertServed() throws IOException, ProtocolException {
        send(EmptyMessage.PING);
        expect(MessageType.PONG, b -> b);
    }

    public void soTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Closes with a TCP reset instead of a FIN. */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---- receiving ----

    /** Reads exactly {@code bytes.length} bytes that are not frames (a bare handler's raw answer). */
    public void readFully(byte[] bytes) throws IOException {
        in.readFully(bytes);
    }

    /**
     * The next frame, or null when the server closed cleanly between frames. A tracker's REACH (the result of its
     * dial-back of the listen port a HELLO gave, which comes whenever the dial-back ends) is skipped: what a test
     * checks is how the server answers what it sent.
     */
    public Frame readOrEof() throws IOException, ProtocolException {
        Frame f = readAnyOrEof();
        while (f != null && f.type() == MessageType.REACH.code() && !keepReach) {
            f = readAnyOrEof();
        }
        return f;
    }

    private Frame readAnyOrEof() throws IOException, ProtocolException {
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

    public Frame read() throws IOException, ProtocolException {
        Frame f = readOrEof();
        if (f == null) {
            throw new EOFException("server closed the connection (expected: a frame)");
        }
        return f;
    }

    /** Reads one frame, which must be of type {@code type}, and decodes it. */
    public <T> T expect(MessageType type, Decoder<T> d) throws IOException, ProtocolException {
        Frame f = read();
        assertEquals(type.code(), f.type(), () -> "expected " + type + ", got " + f.describe());
        return d.decode(f.buffer());
    }

    /** Reads one frame, which must be an ERROR with one of {@code codes}. */
    public ErrorMessage expectError(ErrorCode... codes) throws IOException, ProtocolException {
        Frame f = read();
        assertEquals(MessageType.ERROR.code(), f.type(),
                () -> "expected ERROR " + List.of(codes) + ", got " + f.describe());
        ErrorMessage e = ErrorMessage.decode(f.buffer());
        assertTrue(List.of(codes).contains(ErrorCode.of(e.code())),
                () -> "expected ERROR " + List.of(codes) + ", got " + e.codeName() + " \"" + e.message() + "\"");
        return e;
    }

    /** The server closed cleanly: the next read returns -1, not data, not a reset, not a timeout. */
    public void expectEof() throws IOException {
        int b;
        try {
            b = in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("server kept the connection open for " + READ_TIMEOUT_MILLIS
                    + " ms (expected: EOF)", e);
        }
        assertEquals(-1, b, "expected EOF after the ERROR, got more bytes");
    }

    public ErrorMessage expectErrorThenEof(ErrorCode... codes) throws IOException, ProtocolException {
        ErrorMessage e = expectError(codes);
        expectEof();
        return e;
    }

    /**
     * Reads frames until the server closes (EOF, or a reset when {@code allowReset}); fails when the server
     * keeps the connection open past the read timeout.
     */
    public Ending readUntilClosed(boolean allowReset) throws IOException, ProtocolException {
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

    /** Sends bytes the server may stop reading at any point, then reads until it closes (or resets). */
    public Ending sendGarbageUntilClosed(byte[] bytes) throws IOException, ProtocolException {
        try {
            sendBytes(bytes);
        } catch (IOException e) {
            // the server may close (and reset) before it has read all of it
        }
        return readUntilClosed(true);
    }
}
