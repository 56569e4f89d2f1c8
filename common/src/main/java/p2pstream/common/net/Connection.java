package p2pstream.common.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.data.BufferData;
import p2pstream.common.data.Data;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * One TCP connection on an {@link EventLoop}: its socket, a {@link Transport} over it, a bounded read buffer
 * whose bytes an {@link Inbound} takes (frames for its {@link ConnectionHandler}, unless told otherwise), an
 * {@link OutboundBuffer} of {@link Data}, and its lifecycle. Above the outbound high watermark it stops reading,
 * so a peer that sends requests but never reads the answers waits in TCP, not in our heap. Every method must be
 * called on the loop thread.
 */
public final class Connection {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    /** A peer that does not answer a connect within this is not worth a slot. */
    private static final long CONNECT_TIMEOUT_NANOS = 5_000_000_000L;
    private static final long CLOSE_LINGER_MILLIS = 2_000;
    private static final int MAX_READS_PER_EVENT = 16;
    /**
     * Once a handler takes payloads into buffers of its own, reads into the read buffer stop after this many bytes:
     * enough for the next frame's header and a few control frames, so that the next payload lands in its own buffer
     * rather than being read here and copied.
     */
    static final int LOOKAHEAD_BYTES = 1024;

    /** Lifecycle: CONNECTING (outgoing, not yet established), OPEN, CLOSING (flushing a last frame), CLOSED. */
    public enum State { CONNECTING, OPEN, CLOSING, CLOSED }

    private final EventLoop loop;
    private final SocketChannel channel;
    private final ConnectionHandler handler;
    private final InetSocketAddress remote;
    private final Limits limits;
    private final Transport transport;
    private final FrameInbound frames;
    private final OutboundBuffer outbound;
    private Inbound inbound;
    SelectionKey key;
    Acceptor acceptor;
    /** The address its acceptor counted it under, released on close. */
    InetAddress acceptedFrom;

    private State state;
    private final ReadBuffer readBuffer;
    private long idleTimeoutNanos;
    /** Closes the connection unless the handler accepts a HELLO first; null when met or not asked for. */
    private Timeout helloDeadline;
    long lastActivityNanos;
    private boolean autoReadOff;
    /** An inbound call is on the stack: bytes that arrive meanwhile wait until it returns. */
    private boolean inInbound;
    private boolean paced;
    /** The selection key's interest set as last asked for, so unchanged sets are not asked for again. */
    private int interestOps = -1;
    /** Discards input once a closing connection has written everything, until the peer closes; else null. */
    private Drain drain;
    private long bytesRead;
    /** Made once: posted on every read while the transport holds decrypted bytes. */
    private final Runnable takeIfReadingTask = this::takeIfReading;
    private String closeReason;
    /** The handler's buffer the payload being received goes into ({@link ConnectionHandler#payloadBuffer}), or null. */
    private ByteBuffer payload;
    private int payloadType;
    private int payloadStart;
    /** True once a handler took a payload into its own buffer: reads into the read buffer are kept short. */
    private boolean payloadsTaken;
    /** Bytes of the frame gathering in the read buffer when its handler had no buffer for it, else 0. */
    private int gatheringBytes;
    /** The buffers of a read that puts the rest of a payload in its place and what follows in the read buffer. */
    private final ByteBuffer[] scatter = new ByteBuffer[2];

    Connection(EventLoop loop, SocketChannel channel, ConnectionHandler handler, Limits limits,
               InetSocketAddress remote, State state, Transport transport) {
        this.loop = loop;
        this.channel = channel;
        this.handler = handler;
        this.limits = limits;
        this.remote = remote;
        this.state = state;
        this.transport = transport;
        this.outbound = new OutboundBuffer(limits.highWatermarkBytes(), limits.lowWatermarkBytes(), transport, channel,
                new Backpressure());
        this.readBuffer = new ReadBuffer(loop, limits.maxFrameBytes());
        this.idleTimeoutNanos = limits.idleTimeoutMillis() * 1_000_000L;
        this.lastActivityNanos = loop.nanoTime();
        this.frames = new FrameInbound(this, handler, limits, lastActivityNanos);
        this.inbound = frames;
    }

    public EventLoop loop() {
        return loop;
    }

    public State state() {
        return state;
    }

    public boolean isOpen() {
        return state == State.OPEN;
    }

    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /** Pending bytes are below the high watermark: more may be queued. */
    public boolean isWritable() {
        return outbound.isWritable();
    }

    public long pendingBytes() {
        return outbound.pendingBytes();
    }

    public long bytesRead() {
        return bytesRead;
    }

    /** The round trip the secure handshake measured (see SecureTransport), in ms; -1 unknown. Loop thread. */
    public long handshakeRoundTripMillis() {
        long nanos = transport instanceof SecureTransport t ? t.roundTripNanos() : -1;
        return nanos < 0 ? -1 : nanos / 1_000_000;
    }

    /**
     * The peer id the other side proved in the secure transport's handshake; null on a connection without one
     * (HTTP) and before the handshake is done, that is before any frame arrives.
     */
    public PeerId remotePeerId() {
        return transport instanceof SecureTransport t ? t.remotePeerId() : null;
    }

    /**
     * Whether this connection's frames travel encrypted: false without a secure transport, or once both sides
     * agreed on plaintext in its handshake.
     */
    public boolean isEncrypted() {
        return transport instanceof SecureTransport t && t.isEncrypted();
    }

    public long bytesWritten() {
        return outbound.writtenBytes();
    }

    /** Why the connection closed, or null while it is not closed. */
    public String closeReason() {
        return closeReason;
    }

    /** Raises or lowers the largest frame accepted from now on (e.g. once the chunk size is known). */
    public void maxFrameBytes(int bytes) {
        frames.maxFrameBytes(bytes);
    }

    /**
     * Hands the bytes received from now on, and those received but not yet taken, to {@code next} instead of
     * splitting them into frames: for a connection that speaks another protocol (HTTP).
     */
    public void inbound(Inbound next) {
        this.inbound = next;
    }

    /** Changes the idle timeout, counted from the last byte received (e.g. longer once HELLO arrived). */
    public void idleTimeoutMillis(long millis) {
        idleTimeoutNanos = millis * 1_000_000L;
    }

    /** The handler accepted the peer's HELLO: the HELLO deadline of its {@link Limits} is met. */
    public void helloAccepted() {
        cancelHelloDeadline();
    }

    private void cancelHelloDeadline() {
        if (helloDeadline != null) {
            helloDeadline.cancel();
            helloDeadline = null;
        }
    }

    /** Caps this connection's upload with a shared bucket; null removes the cap. */
    public void uploadCap(TokenBucket bucket) {
        outbound.uploadCap(bucket);
    }

    /**
     * Calls the handler's {@code onWritable} once, as soon as fewer than {@code bytes} are pending: for a
     * handler that keeps its own queue (where it can still reorder or cancel) and feeds the connection only a
     * little ahead of the socket. Loop thread only.
     */
    public void onDrainedBelow(long bytes) {
        outbound.drainedBelow(bytes);
    }

    /** Queues a message as one frame. Ignored once the connection is closing. */
    public void send(Message message) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        if (!outbound.coalesce(message)) {
            send(BufferData.of(Frames.encode(message)));
            return;
        }
        outbound.checkHighWatermark();
    }

    /** Queues bytes to write after everything queued before. Ignored once the connection is closing. */
    public void send(Data data) {
        if (state == State.CLOSING || state == State.CLOSED) {
            data.release();
            return;
        }
        boolean writeNow = state == State.OPEN && outbound.isEmpty() && !paced;
        outbound.add(data);
        if (writeNow) {
            flush();
        }
        // after the flush: bytes the socket took at once leave no write event to resume reading on
        outbound.checkHighWatermark();
    }

    /**
     * Stops ({@code false}) or restarts reading frames, for a handler whose answers are computed elsewhere and
     * must be bounded before they reach the outbound queue. Frames already buffered wait, nothing is lost.
     */
    public void autoRead(boolean on) {
        if (autoReadOff != on) {
            return;
        }
        autoReadOff = !on;
        updateInterest();
        if (reading()) {
            loop.execute(takeIfReadingTask); // never re-enter a handler that is on the stack
        }
    }

    /**
     * Answers a protocol violation or a timeout: sends what the inbound says for it (ERROR with its code and
     * message, for frames), then closes.
     */
    public void fail(ProtocolException e) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        log.info("{} closing: {} {}", remote, e.code(), e.getMessage());
        Data notice = inbound.failureNotice(e);
        if (notice != null) {
            send(notice);
        }
        closeAfterFlush(e.code() + ": " + e.getMessage());
    }

    /** Stops reading, writes what is queued (at most a couple of seconds), then closes. */
    public void closeAfterFlush(String reason) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        state = State.CLOSING;
        closeReason = reason;
        updateInterest();
        if (outbound.isEmpty()) {
            finishClose();
        } else {
            loop.schedule(CLOSE_LINGER_MILLIS, () -> close(reason));
            if (!paced) {
                flush();
            }
        }
    }

    /** Closes at once, dropping anything queued, and tells the handler. Idempotent. */
    public void close(String reason) {
        if (state == State.CLOSED) {
            return;
        }
        if (closeReason == null || state != State.CLOSING) {
            closeReason = reason;
        }
        state = State.CLOSED;
        cancelHelloDeadline();
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("{} close: {}", remote, e.toString());
        }
        outbound.releaseAll();
        readBuffer.release();
        transport.onClosed();
        payload = null; // the handler gave it, the handler takes it back
        if (acceptor != null) {
            acceptor.onConnectionClosed(acceptedFrom);
        }
        try {
            handler.onClose(closeReason);
        } catch (RuntimeException e) {
            log.warn("{} onClose failed", remote, e);
        }
    }

    // ---- called by EventLoop ----

    void onConnectable() {
        if (state != State.CONNECTING) {
            return;
        }
        try {
            if (!channel.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            close("connect failed: " + e.getMessage());
            return;
        }
        state = State.OPEN;
        lastActivityNanos = loop.nanoTime();
        updateInterest(); // OP_READ unless sends queued while connecting already passed the high watermark
        onOpened();
        if (state == State.OPEN && !outbound.isEmpty()) {
            flush();
            resumeIfDrained();
        }
    }

    void onOpened() {
        try {
            transport.onOpen(channel);
        } catch (IOException e) {
            close("write failed: " + e.getMessage());
            return;
        }
        long helloMillis = limits.helloTimeoutMillis();
        if (helloMillis > 0) {
            // an absolute deadline: a peer dribbling a byte a second is never idle, yet never says HELLO
            helloDeadline = loop.schedule(helloMillis, () -> fail(new ProtocolException(ErrorCode.TIMEOUT,
                    "hello: none within " + helloMillis + " ms (expected: HELLO first)")));
        }
        handler.onOpen(this);
        updateInterest(); // a handshake message the socket did not all take
    }

    void onReadable() {
        if (drain != null) {
            if (state == State.CLOSING && drain.peerClosed(channel, MAX_READS_PER_EVENT)) {
                close(closeReason);
            }
            return;
        }
        if (shakingWhileClosing()) {
            shakeWhileClosing();
            return;
        }
        boolean wasReady = transport.isReady();
        readSocket();
        if (!wasReady && transport.isReady() && state == State.OPEN) {
            flush(); // the handshake is done: what was sent meanwhile goes now
            resumeIfDrained();
        } else if (transport.hasPendingOutput()) {
            updateInterest(); // a handshake message the socket did not all take
        }
        if (reading() && transport.hasBufferedInput()) {
            loop.execute(takeIfReadingTask); // bytes the transport holds raise no read event
        }
    }

    /** Closing before the transport's handshake ended: the handshake goes on, or nothing queued could go out. */
    private boolean shakingWhileClosing() {
        return state == State.CLOSING && !transport.isReady();
    }

    /** Reads the handshake of a closing connection (what else arrives is dropped); once done, writes the queue. */
    private void shakeWhileClosing() {
        ByteBuffer discard = readBuffer.bytes().clear();
        try {
            if (transport.read(channel, discard) < 0) {
                close(closeReason);
                return;
            }
        } catch (IOException e) {
            close("read failed: " + e.getMessage());
            return;
        } finally {
            discard.clear();
        }
        if (transport.isReady()) {
            flush(); // closes once the queue is written
        } else {
            updateInterest();
        }
    }

    private void readSocket() {
        for (int i = 0; i < MAX_READS_PER_EVENT && reading(); i++) {
            ByteBuffer buffer = readBuffer.bytes();
            int limit = buffer.limit();
            if (payloadsTaken) {
                // a frame the handler left to the read buffer is read in full, not a lookahead at a time
                buffer.limit(Math.min(limit, Math.max(buffer.position() + LOOKAHEAD_BYTES, gatheringBytes)));
            }
            long offered = buffer.remaining() + (payload == null ? 0 : payload.remaining());
            long n;
            try {
                n = read(buffer);
            } catch (PeerErrorException e) {
                close(e.getMessage());
                return;
            } catch (IOException e) {
                close("read failed: " + e.getMessage());
                return;
            } finally {
                buffer.limit(limit);
            }
            if (n < 0) {
                close("closed by peer");
                return;
            }
            if (n > 0) {
                bytesRead += n;
                lastActivityNanos = loop.nanoTime();
            }
            if (payload != null && !payload.hasRemaining()) {
                payloadArrived();
                if (state == State.CLOSED) {
                    return;
                }
            }
            takeBuffered();
            // a short read means the socket is drained, unless the transport read less than it could hand on
            // (one record at a time): then the socket may hold more, and waiting for the selector costs a wakeup
            if (n == 0 || n < offered && !transport.socketMayHaveMore()) {
                return;
            }
        }
    }

    /** Reads into the payload being received (if any), then into {@code buffer}. */
    private long read(ByteBuffer buffer) throws IOException {
        if (payload == null) {
            return transport.read(channel, buffer);
        }
        scatter[0] = payload;
        scatter[1] = buffer;
        try {
            return transport.read(channel, scatter);
        } finally {
            scatter[0] = null; // neither buffer is held past the read: a closed or replaced one is let go
            scatter[1] = null;
        }
    }

    /** The inbound found a frame whose payload goes into the handler's {@code into}, from {@code start} on. */
    void readPayload(int type, ByteBuffer into, int start) {
        payload = into;
        payloadType = type;
        payloadStart = start;
        payloadsTaken = true;
        gatheringBytes = 0;
    }

    /** The next frame, of {@code frameBytes} (0: not known yet), is gathered in the read buffer. */
    void gathering(int frameBytes) {
        gatheringBytes = frameBytes;
    }

    private void payloadArrived() {
        ByteBuffer p = payload;
        payload = null;
        p.limit(p.position()).position(payloadStart);
        inInbound = true;
        try {
            frames.onPayload(payloadType, p);
        } catch (ProtocolException e) {
            fail(e);
        } finally {
            inInbound = false;
        }
    }

    void onWritableEvent() {
        flush();
        resumeIfDrained();
    }

    /** Checks the idle deadline; returns true if the connection was closed. */
    boolean closeIfIdle(long now) {
        if (state == State.CONNECTING && now - lastActivityNanos > Math.min(idleTimeoutNanos, CONNECT_TIMEOUT_NANOS)) {
            close("connect timed out after " + (now - lastActivityNanos) / 1_000_000 + " ms");
            return true;
        }
        if (state == State.CLOSED || now - lastActivityNanos <= idleTimeoutNanos) {
            return false;
        }
        if (state == State.OPEN) {
            fail(new ProtocolException(ErrorCode.TIMEOUT,
                    "idle: " + (now - lastActivityNanos) / 1_000_000 + " ms (expected: <= "
                    + idleTimeoutNanos / 1_000_000 + ")"));
        }
        return true;
    }

    // ---- reading ----

    private void takeBuffered() {
        if (inInbound) {
            return; // a handler call is on the stack; it will loop on when it returns
        }
        ByteBuffer in = readBuffer.bytes().flip();
        try {
            boolean taken = true;
            while (taken && reading()) {
                inInbound = true;
                try {
                    taken = inbound.next(in);
                } finally {
                    inInbound = false;
                }
            }
            if (state != State.CLOSED) {
                readBuffer.fit(inbound.nextUnitBytes(in)); // memory follows the bytes received
            }
        } catch (ProtocolException e) {
            fail(e);
        } finally {
            if (state != State.CLOSED) {
                readBuffer.bytes().compact();
            }
        }
    }

    /** Frames are read while open, unless the handler turned reading off or the outbound side is backed up. */
    private boolean reading() {
        return state == State.OPEN && !autoReadOff && !outbound.isUnwritable();
    }

    private void resumeIfDrained() {
        if (state == State.OPEN) {
            outbound.checkDrained();
        }
    }

    private void takeIfReading() {
        if (reading() && readBuffer.bytes().position() > 0) {
            takeBuffered();
        }
        if (reading() && transport.hasBufferedInput()) {
            onReadable();
        }
    }

    /** What the connection does when its outbound side crosses a watermark. */
    private final class Backpressure implements OutboundBuffer.Listener {
        @Override
        public void onUnwritable() {
            updateInterest();
        }

        @Override
        public void onWritable() {
            if (state != State.OPEN) {
                return;
            }
            updateInterest();
            handler.onWritable();
            takeIfReading(); // requests that arrived before the pause
        }

        @Override
        public void onDrained() {
            if (state == State.OPEN) {
                handler.onWritable();
            }
        }
    }

    // ---- writing ----

    private void flush() {
        paced = false;
        long before = outbound.writtenBytes();
        OutboundBuffer.Flush result;
        try {
            result = outbound.write();
        } catch (IOException e) {
            close("write failed: " + e.getMessage());
            return;
        }
        if (outbound.writtenBytes() != before) {
            // a peer that reads slowly is alive: only silence in both directions is idleness
            lastActivityNanos = loop.nanoTime();
        }
        if (result == OutboundBuffer.Flush.PACED) {
            paced = true;
            loop.schedule(Math.max(1, outbound.pacedNanos() / 1_000_000), () -> {
                if (state == State.OPEN || state == State.CLOSING) {
                    flush();
                    resumeIfDrained();
                }
            });
        }
        updateInterest(); // OP_WRITE only while the channel is full
        if (result == OutboundBuffer.Flush.EMPTY && state == State.CLOSING) {
            finishClose();
        }
    }

    // ---- closing ----

    /** Ends a closing connection whose queued bytes are written, at once or after a {@link Drain}. */
    private void finishClose() {
        if (drain != null || state != State.CLOSING) {
            return;
        }
        drain = Drain.start(channel);
        if (drain == null) {
            close(closeReason);
            return;
        }
        updateInterest();
        loop.schedule(CLOSE_LINGER_MILLIS, () -> close(closeReason));
    }

    private void updateInterest() {
        if (key == null || !key.isValid() || state == State.CONNECTING) {
            return;
        }
        boolean write = !outbound.isEmpty() && !paced && (transport.isReady() || transport.hasPendingOutput());
        boolean read = reading() || drain != null || shakingWhileClosing();
        int ops = (read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0);
        if (ops != interestOps) {
            interestOps = ops;
            key.interestOps(ops);
        }
    }

    @Override
    public String toString() {
        return "Connection[" + remote + " " + state + "]";
    }
}
