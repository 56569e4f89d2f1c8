package p2pstream.common.net;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.PeerId;

/**
 * A listening socket: accepts on the group's first loop and hands each connection to the group's next loop
 * with a fresh handler. Beyond {@code maxConnections} open connections, or beyond
 * {@code maxConnectionsPerAddress} from one IP address (so one host cannot take every slot), a new one gets an
 * ERROR (TOO_MANY_CONNECTIONS), or what its {@link Refusal} says (an HTTP 503), and is closed at once.
 * {@link #open} and {@link #close} may be called from any thread.
 */
public final class Acceptor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Acceptor.class);
    private static final int MAX_ACCEPTS_PER_EVENT = 64;
    /**
     * Pause after a failed accept, doubled on each failure in a row up to the maximum. Out of descriptors, the
     * pending connection stays pending and the listener stays ready: without a pause the loop spins on it.
     */
    static final long FIRST_ACCEPT_PAUSE_MILLIS = 50;
    static final long MAX_ACCEPT_PAUSE_MILLIS = 1_000;
    /** Failed accepts are logged at most once in this time, with the count since the last line. */
    static final long ACCEPT_FAILURE_LOG_INTERVAL_MILLIS = 10_000;
    /** How long a refused socket stays half-open, so the client reads the refusal before the socket closes. */
    static final long REFUSAL_LINGER_MILLIS = 250;
    /**
     * Refused sockets held half-open at once at most; beyond, they close at once (a flood gets resets). Each holds a
     * descriptor the connection limit does not count, so an acceptor keeps to a sixteenth of its limit: the limit
     * derived from the open-file limit leaves a tenth of it spare.
     */
    static final int MAX_LINGERING = 256;

    /**
     * An inbound connection this process asked for (PROTOCOL.md section 11: a holder the tracker told to connect
     * back): adopted with {@code handler} and as the secure handshake's initiator, the side that said it wanted the
     * connection, demanding {@code expected} of the other side, as if this side had dialed.
     */
    public record Claim(ConnectionHandler handler, Limits limits, PeerId expected) {
    }

    /** What a frame connection over a limit is told: ERROR TOO_MANY_CONNECTIONS. */
    public static final Refusal ERROR_FRAME = why -> Frames.encode(
            new ErrorMessage(ErrorCode.TOO_MANY_CONNECTIONS.code(), why));

    /**
     * The bytes a connection refused for being over a limit is sent before it is closed, in its own protocol.
     * Called on the accept loop; must be thread-safe.
     */
    @FunctionalInterface
    public interface Refusal {
        /** The whole answer for a connection refused because {@code why}; a fresh buffer, in read mode. */
        ByteBuffer bytes(String why);
    }

    private final EventLoopGroup group;
    private final EventLoop acceptLoop;
    /** Refused sockets waiting out {@link #REFUSAL_LINGER_MILLIS}; accept loop only. */
    private int lingering;
    private final ServerSocketChannel server;
    private final Supplier<ConnectionHandler> handlers;
    private final Limits limits;
    private final int maxConnections;
    private final TokenBucket uploadCap;
    private final int maxConnectionsPerAddress;
    private final Refusal refusal;
    /** The Noise static key the connections accepted are secured with; null for plaintext (HTTP). */
    private final StaticKey secure;
    private final AtomicInteger open = new AtomicInteger();
    /** Open connections per remote address; counted on the accept loop, released on each connection's loop. */
    private final ConcurrentHashMap<InetAddress, Integer> openByAddress = new ConcurrentHashMap<>();
    private final InetSocketAddress localAddress;
    /** Connections this process expects from an address, adopted as if dialed (see {@link #claim}); any thread. */
    private final Map<InetAddress, ArrayDeque<Claim>> claims = new HashMap<>();
    private SelectionKey key;
    /** Accept loop only: the current pause after failed accepts (0 while accepts succeed), and the log's pace. */
    private long acceptPauseMillis;
    private volatile long acceptFailures;
    private long acceptFailuresUnlogged;
    private long lastFailureLogNanos;
    private boolean failureLogged;

    private Acceptor(EventLoopGroup group, ServerSocketChannel server, Supplier<ConnectionHandler> handlers,
                     Limits limits, int maxConnections, int maxConnectionsPerAddress, TokenBucket uploadCap,
                     Refusal refusal, StaticKey secure) throws IOException {
        this.group = group;
        this.secure = secure;
        this.refusal = refusal;
        this.maxConnectionsPerAddress = maxConnectionsPerAddress;
        this.acceptLoop = group.loops().get(0);
        this.server = server;
        this.handlers = handlers;
        this.limits = limits;
        this.maxConnections = maxConnections;
        this.uploadCap = uploadCap;
        this.localAddress = (InetSocketAddress) server.getLocalAddress();
    }

    /**
     * Binds {@code address} (port 0 picks a free port) and starts accepting.
     *
     * @param uploadCap shared cap on every accepted connection's upload, or null
     */
    public static Acceptor open(EventLoopGroup group, InetSocketAddress address, Supplier<ConnectionHandler> handlers,
                                Limits limits, int maxConnections, TokenBucket uploadCap) throws IOException {
        return open(group, address, handlers, limits, maxConnections, maxConnections, uploadCap);
    }

    /**
     * Binds {@code address} (port 0 picks a free port) and starts accepting, at most
     * {@code maxConnectionsPerAddress} of the connections from one IP address.
     *
     * @param uploadCap shared cap on every accepted connection's upload, or null
     */
    public static Acceptor open(EventLoopGroup group, InetSocketAddress address, Supplier<ConnectionHandler> handlers,
                                Limits limits, int maxConnections, int maxConnectionsPerAddress, TokenBucket uploadCap)
            throws IOException {
        return open(group, address, handlers, limits, maxConnections, maxConnectionsPerAddress, uploadCap, ERROR_FRAME);
    }

    /**
     * Binds {@code address} (port 0 picks a free port) and starts accepting, at most
     * {@code maxConnectionsPerAddress} of the connections from one IP address; a connection over a limit gets
     * {@code refusal}'s bytes (for a protocol other than frames).
     *
     * @param uploadCap shared cap on every accepted connection's upload, or null
     */
    public static Acceptor open(EventLoopGroup group, InetSocketAddress address, Supplier<ConnectionHandler> handlers,
                                Limits limits, int maxConnections, int maxConnectionsPerAddress, TokenBucket uploadCap,
                                Refusal refusal) throws IOException {
        return open(group, address, handlers, limits, maxConnections, maxConnectionsPerAddress, uploadCap, refusal,
                null);
    }

    /**
     * The same, every connection under the secure transport (PROTOCOL.md section 9) with {@code secure} as this
     * process's Noise static key from the first one accepted on (null: plaintext frames, or HTTP).
     */
    public static Acceptor open(EventLoopGroup group, InetSocketAddress address, Supplier<ConnectionHandler> handlers,
                                Limits limits, int maxConnections, int maxConnectionsPerAddress, TokenBucket uploadCap,
                                Refusal refusal, StaticKey secure) throws IOException {
        if (maxConnections < 1 || maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("connections: " + maxConnections + " at most, "
                    + maxConnectionsPerAddress + " per address (expected: >= 1)");
        }
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (secure != null) {
                // a peer's connections the tracker arranges leave from its listening port (section 11), which
                // both sockets must allow; a port given is first checked free, as SO_REUSEPORT would share it
                // with another listener of this user instead of failing
                if (address.getPort() != 0) {
                    try (ServerSocketChannel check = ServerSocketChannel.open()) {
                        check.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                        bind(check, address);
                    }
                }
                server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            bind(server, address);
            server.configureBlocking(false);
            Acceptor acceptor = new Acceptor(group, server, handlers, limits, maxConnections, maxConnectionsPerAddress,
                    uploadCap, refusal, secure);
            CompletableFuture<Void> registered = new CompletableFuture<>();
            acceptor.acceptLoop.execute(() -> {
                try {
                    acceptor.key = acceptor.acceptLoop.registerAcceptor(server, acceptor);
                    registered.complete(null);
                } catch (IOException | RuntimeException e) {
                    registered.completeExceptionally(e);
                }
            });
            registered.get(10, TimeUnit.SECONDS);
            return acceptor;
        } catch (IOException e) {
            server.close();
            throw e;
        } catch (ExecutionException | TimeoutException e) {
            server.close();
            throw new IOException("cannot register listener on " + address + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            server.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening " + address, e);
        }
    }

    /** Binds, naming the address in the error: "Address already in use" alone does not say which one. */
    private static void bind(ServerSocketChannel server, InetSocketAddress address) throws IOException {
        try {
            server.bind(address, 1024);
        } catch (IOException e) {
            BindException named = new BindException("cannot listen on " + hostPort(address) + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
    }

    /** {@code host:port}, IPv6 hosts in brackets: how programs print the addresses they listen on. Any thread. */
    public static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * The next connection from {@code from} (any port: a NAT may have changed it) is adopted by {@code claim}
     * instead of a fresh handler; claims from one address are met in order. Any thread.
     */
    public void claim(InetAddress from, Claim claim) {
        synchronized (claims) {
            claims.computeIfAbsent(from, a -> new ArrayDeque<>()).add(claim);
        }
    }

    /** Withdraws a claim not met (the connection never came); false when it was met or withdrawn. Any thread. */
    public boolean unclaim(InetAddress from, Claim claim) {
        synchronized (claims) {
            ArrayDeque<Claim> q = claims.get(from);
            boolean removed = q != null && q.remove(claim);
            if (q != null && q.isEmpty()) {
                claims.remove(from);
            }
            return removed;
        }
    }

    private Claim takeClaim(InetAddress from) {
        synchronized (claims) {
            ArrayDeque<Claim> q = from == null ? null : claims.get(from);
            Claim c = q == null ? null : q.poll();
            if (q != null && q.isEmpty()) {
                claims.remove(from);
            }
            return c;
        }
    }

    /** The bound address, with the real port when 0 was asked for. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Connections accepted and not yet closed. */
    public int connectionCount() {
        return open.get();
    }

    /** Stops accepting; connections already open stay open. Any thread. */
    @Override
    public void close() {
        acceptLoop.execute(this::closeChannel);
        try {
            server.close();
        } catch (IOException e) {
            log.debug("close {}: {}", localAddress, e.toString());
        }
    }

    void closeChannel() {
        if (key != null) {
            key.cancel();
        }
        try {
            server.close();
        } catch (IOException e) {
            log.debug("close {}: {}", localAddress, e.toString());
        }
    }

    void onConnectionClosed(InetAddress from) {
        open.decrementAndGet();
        release(from);
    }

    private void release(InetAddress from) {
        if (from != null) {
            openByAddress.computeIfPresent(from, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    void onAcceptable() {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                onAcceptFailed(e);
                return;
            }
            if (channel == null) {
                return;
            }
            acceptPauseMillis = 0;
            if (open.incrementAndGet() > maxConnections) {
                open.decrementAndGet();
                refuse(channel, "connections: " + maxConnections + " open (expected: fewer)");
                continue;
            }
            InetAddress from = addressOf(channel);
            if (from != null && openByAddress.merge(from, 1, Integer::sum) > maxConnectionsPerAddress) {
                open.decrementAndGet();
                release(from);
                refuse(channel, "connections from " + from.getHostAddress() + ": " + maxConnectionsPerAddress
                        + " open (expected: fewer)");
                continue;
            }
            EventLoop loop = group.next();
            loop.execute(() -> adopt(loop, channel, from));
        }
    }

    /** Failed accepts so far (out of descriptors, typically). Any thread; for tests and figures. */
    public long acceptFailures() {
        return acceptFailures;
    }

    /** Stops accepting for a while (see FIRST_ACCEPT_PAUSE_MILLIS) and logs at a bounded pace. Accept loop. */
    private void onAcceptFailed(IOException e) {
        acceptFailures++;
        acceptFailuresUnlogged++;
        acceptPauseMillis = acceptPauseMillis == 0 ? FIRST_ACCEPT_PAUSE_MILLIS
                : Math.min(MAX_ACCEPT_PAUSE_MILLIS, 2 * acceptPauseMillis);
        long now = acceptLoop.nanoTime();
        if (!failureLogged
                || now - lastFailureLogNanos >= TimeUnit.MILLISECONDS.toNanos(ACCEPT_FAILURE_LOG_INTERVAL_MILLIS)) {
            log.warn("accept on {} failed {} time(s) since the last report: {}; pausing accepts up to {} ms at a time",
                    hostPort(localAddress), acceptFailuresUnlogged, e.getMessage(), MAX_ACCEPT_PAUSE_MILLIS);
            acceptFailuresUnlogged = 0;
            lastFailureLogNanos = now;
            failureLogged = true;
        }
        if (key != null && key.isValid()) {
            key.interestOps(0);
            acceptLoop.schedule(acceptPauseMillis, () -> {
                if (key.isValid()) {
                    key.interestOps(SelectionKey.OP_ACCEPT);
                }
            });
        }
    }

    private static InetAddress addressOf(SocketChannel channel) {
        try {
            return ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
        } catch (IOException | RuntimeException e) {
            return null; // reset already: it will fail on its own
        }
    }

    private void adopt(EventLoop loop, SocketChannel channel, InetAddress from) {
        try {
            Claim claim = secure == null ? null : takeClaim(from);
            if (claim != null) {
                loop.register(channel, claim.handler(), claim.limits(), this, from, uploadCap, secure, true,
                        claim.expected());
            } else {
                loop.register(channel, handlers.get(), limits, this, from, uploadCap, secure, false, null);
            }
        } catch (IOException | RuntimeException e) {
            open.decrementAndGet();
            release(from);
            log.warn("cannot register connection: {}", e.toString());
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }

    private void refuse(SocketChannel channel, String why) {
        boolean linger = false;
        try {
            channel.configureBlocking(false);
            channel.write(refusal.bytes(why)); // best effort: a fresh socket's buffer takes a small answer
            log.info("{} refused: {}", channel.getRemoteAddress(), why);
            if (lingering < Math.min(MAX_LINGERING, Math.max(1, maxConnections / 16))) {
                // a client that spoke first (a handshake's first message) would get a reset for closing on its
                // unread bytes, and a reset can lose the refusal it has not read yet: the refusal and FIN go now,
                // and what the client sent is read and dropped before the socket closes
                channel.shutdownOutput();
                lingering++;
                linger = true;
                acceptLoop.schedule(REFUSAL_LINGER_MILLIS, () -> {
                    lingering--;
                    drainAndClose(channel);
                });
            }
        } catch (IOException e) {
            log.debug("refuse: {}", e.toString());
        } finally {
            if (!linger) {
                drainAndClose(channel);
            }
        }
    }

    private static void drainAndClose(SocketChannel channel) {
        try {
            // the FIN goes before any reset a late byte from the client causes: the client reads the refusal, then
            // EOF (a FIN already in its queue wins over a reset that comes after it)
            channel.shutdownOutput();
        } catch (IOException ignored) {
            // already shut, or the client is gone: closing anyway
        }
        try {
            ByteBuffer drop = ByteBuffer.allocate(4096);
            for (int i = 0; i < 4 && channel.read(drop.clear()) > 0; i++) {
                // the first handshake message and little else; a sender of more gets its reset
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    @Override
    public String toString() {
        return "Acceptor[" + localAddress + "]";
    }
}
