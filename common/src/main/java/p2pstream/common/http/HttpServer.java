package p2pstream.common.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.Connection;
import p2pstream.common.net.EventLoopGroup;

/**
 * A small HTTP/1.1 server on the project's event loops: an {@link Acceptor} whose connections parse request heads
 * and hand them to one {@link HttpHandler} (a {@link Router}, usually), within {@link HttpLimits}. Bound to a
 * loopback address, it answers only requests whose Host is a loopback name (against DNS rebinding).
 * {@link #open} and {@link #close} may be called from any thread.
 */
public final class HttpServer implements AutoCloseable {
    private final HttpHandler handler;
    private final HttpLimits limits;
    private final boolean loopbackHostsOnly;
    private final IntConsumer onResponse;
    private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
    private final Acceptor acceptor;

    private HttpServer(EventLoopGroup group, InetSocketAddress address, HttpHandler handler, HttpLimits limits,
                       IntConsumer onResponse) throws IOException {
        this.handler = handler;
        this.limits = limits;
        this.onResponse = onResponse;
        this.loopbackHostsOnly = address.getAddress() != null && address.getAddress().isLoopbackAddress();
        this.acceptor = Acceptor.open(group, address, () -> new HttpConnection(this), limits.connectionLimits(),
                limits.maxConnections(), limits.maxConnectionsPerAddress(), null, why -> {
                    onResponse.accept(HttpStatus.UNAVAILABLE);
                    return ResponseWriter.refusal(HttpStatus.UNAVAILABLE, why);
                });
    }

    /** Binds {@code address} (port 0 picks a free one) and serves {@code handler} on {@code group}'s loops. */
    public static HttpServer open(EventLoopGroup group, InetSocketAddress address, HttpHandler handler,
                                  HttpLimits limits) throws IOException {
        return open(group, address, handler, limits, status -> { });
    }

    /**
     * The same, telling {@code onResponse} the status of every response as its head is queued, the server's own
     * refusals included (400, 408, 431, 503...): for figures such as requests by status class. It is called on
     * the loop threads, so it must be thread-safe and quick.
     */
    public static HttpServer open(EventLoopGroup group, InetSocketAddress address, HttpHandler handler,
                                  HttpLimits limits, IntConsumer onResponse) throws IOException {
        return new HttpServer(group, address, handler, limits, onResponse);
    }

    /** The bound address, with the real port when 0 was asked for. */
    public InetSocketAddress localAddress() {
        return acceptor.localAddress();
    }

    /** Connections open now. Any thread. */
    public int connectionCount() {
        return acceptor.connectionCount();
    }

    /** Stops accepting and closes every open connection (each on its loop). */
    @Override
    public void close() {
        acceptor.close();
        for (HttpConnection c : connections) {
            Connection connection = c.connection();
            connection.loop().execute(() -> connection.close("http server closed"));
        }
    }

    HttpHandler handler() {
        return handler;
    }

    HttpLimits limits() {
        return limits;
    }

    void onResponse(int status) {
        onResponse.accept(status);
    }

    boolean checksLoopbackHost() {
        return loopbackHostsOnly;
    }

    /** The open connections, for tests. */
    Set<HttpConnection> connections() {
        return connections;
    }

    void onOpened(HttpConnection c) {
        connections.add(c);
    }

    void onClosed(HttpConnection c) {
        connections.remove(c);
    }

    @Override
    public String toString() {
        return "HttpServer[" + localAddress() + "]";
    }
}
