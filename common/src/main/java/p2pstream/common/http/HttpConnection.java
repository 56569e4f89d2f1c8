package p2pstream.common.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.data.BufferData;
import p2pstream.common.data.Data;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.Inbound;
import p2pstream.common.net.Timeout;
import p2pstream.common.wire.ProtocolException;

/**
 * One HTTP connection: on open it takes the connection's received bytes ({@link Inbound}), parses request heads one
 * at a time, checks the Host of a loopback server, hands each request to the server's handler as an
 * {@link HttpExchange}, and reads the next one (pipelined or kept alive) only once that response has ended. A head
 * must be complete within the head timeout of the connection's opening, or of its first byte on a kept-alive
 * connection (else 408); a kept-alive connection must start its next request within the keep-alive time (else it
 * closes). Loop thread only.
 */
final class HttpConnection implements ConnectionHandler, Inbound {
    private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);
    private static final byte[] HEAD_METHOD = "HEAD ".getBytes(StandardCharsets.US_ASCII);

    private final HttpServer server;
    private final RequestParser parser;
    private Connection connection;
    /** The request being answered, or null while a head is awaited. */
    private HttpExchange exchange;
    /** The head deadline, or the keep-alive wait for the first byte of the next head. */
    private Timeout timer;
    private boolean keptAlive;
    private boolean headStarted;
    /** A POST whose head is in and whose body is still arriving (within the head's deadline), or null. */
    private HttpRequest awaitingBody;

    HttpConnection(HttpServer server) {
        this.server = server;
        this.parser = new RequestParser(server.handler() instanceof Router r && r.takesForms());
    }

    Connection connection() {
        return connection;
    }

    @Override
    public void onOpen(Connection c) {
        connection = c;
        c.inbound(this);
        server.onOpened(this);
        arm(server.limits().headTimeoutMillis(), false); // a new connection's first head is due from the start
    }

    @Override
    public void onFrame(int type, ByteBuffer payload) {
        throw new IllegalStateException("http connection: frame of type " + type + " (expected: none, HTTP inbound)");
    }

    @Override
    public void onWritable() {
        if (exchange != null) {
            exchange.writable();
        }
    }

    @Override
    public void onClose(String reason) {
        cancelTimer();
        server.onClosed(this);
        if (exchange != null) {
            log.debug("{} closed during {}: {}", connection.remoteAddress(), exchange.request(), reason);
            exchange.closed();
        }
    }

    // ---- Inbound ----

    @Override
    public boolean next(ByteBuffer in) {
        if (exchange != null) {
            if (in.hasRemaining()) {
                connection.autoRead(false); // a pipelined head waits in the read buffer until this response ends
            }
            return false;
        }
        if (!in.hasRemaining()) {
            return false;
        }
        if (!headStarted) {
            headStarted = true;
            if (keptAlive) {
                arm(server.limits().headTimeoutMillis(), false);
            }
        }
        HttpRequest request = awaitingBody;
        if (request == null) {
            try {
                request = parser.parse(in);
            } catch (HttpException e) {
                refuse(e.status(), e.getMessage(), isHead(in));
                return true;
            }
            if (request == null) {
                return false;
            }
        }
        if (request.bodyLength() > 0) {
            if (in.remaining() < request.bodyLength()) {
                awaitingBody = request; // the head's deadline still runs: a dribbled body is a slowloris too
                return false;
            }
            byte[] body = new byte[request.bodyLength()];
            in.get(body);
            request.body(body);
            awaitingBody = null;
        }
        headStarted = false;
        cancelTimer();
        if (server.checksLoopbackHost() && !LoopbackHosts.accepts(request.header("Host"))) {
            refuse(HttpStatus.FORBIDDEN, "host: " + HttpException.shown(request.header("Host"))
                    + " (expected: localhost, 127.0.0.1 or [::1] on a loopback server)", request.isHead());
            return true;
        }
        exchange = new HttpExchange(this, connection, request);
        dispatch(exchange);
        return true;
    }

    @Override
    public int nextUnitBytes(ByteBuffer in) {
        // heads carry no length: the read buffer may grow to the largest, and a form's body after it
        return RequestParser.MAX_HEAD_BYTES + RequestParser.MAX_BODY_BYTES;
    }

    /**
     * An idle or stalled connection closes without a word: there is no request to answer, or a body cannot be cut
     * into. An exchange under way is over at once, not when the last queued bytes have been given up on.
     */
    @Override
    public Data failureNotice(ProtocolException e) {
        if (exchange != null) {
            exchange.closed();
        }
        return null;
    }

    // ---- exchanges ----

    private void dispatch(HttpExchange ex) {
        log.debug("{} {}", connection.remoteAddress(), ex.request());
        try {
            server.handler().onRequest(ex);
        } catch (RuntimeException e) {
            log.warn("{} {}: handler failed", connection.remoteAddress(), ex.request(), e);
            ex.failed(e);
        }
    }

    /** A response head with {@code status} is being sent. */
    void onResponse(int status) {
        server.onResponse(status);
    }

    /** The exchange's response ended: close, or wait for the next request (perhaps already buffered). */
    void onExchangeDone(HttpExchange done, boolean close) {
        if (exchange != done) {
            return;
        }
        exchange = null;
        if (close) {
            connection.closeAfterFlush("response sent, connection not kept");
            return;
        }
        arm(server.limits().keepAliveMillis(), true);
        connection.autoRead(true); // takes a pipelined head, if one waits
    }

    /** Answers a request the server will not take with a short text (none for HEAD) and closes. */
    private void refuse(int status, String why, boolean head) {
        log.info("{} refused: {} {}", connection.remoteAddress(), status, why);
        cancelTimer();
        server.onResponse(status);
        connection.send(BufferData.of(ResponseWriter.refusal(status, why, head)));
        connection.closeAfterFlush(status + ": " + why);
    }

    /** The refused head in {@code in} is a HEAD request, after any empty lines before it. */
    private static boolean isHead(ByteBuffer in) {
        int at = in.position();
        while (at + 1 < in.limit() && in.get(at) == '\r' && in.get(at + 1) == '\n') {
            at += 2;
        }
        if (in.limit() - at < HEAD_METHOD.length) {
            return false;
        }
        for (int i = 0; i < HEAD_METHOD.length; i++) {
            if (in.get(at + i) != HEAD_METHOD[i]) {
                return false;
            }
        }
        return true;
    }

    private void arm(long millis, boolean keepAlive) {
        cancelTimer();
        keptAlive = keepAlive;
        timer = connection.loop().schedule(millis, () -> onTimeout(millis));
    }

    private void onTimeout(long millis) {
        timer = null;
        if (!connection.isOpen() || exchange != null) {
            return;
        }
        if (headStarted) {
            refuse(HttpStatus.REQUEST_TIMEOUT, "head: incomplete after " + millis
                    + " ms (expected: a whole head within " + millis + " ms)", false);
        } else {
            connection.close(keptAlive ? "kept alive " + millis + " ms without a request"
                    : "no request within " + millis + " ms");
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
