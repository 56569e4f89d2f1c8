package p2pstream.common.http;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import p2pstream.common.data.BufferData;
import p2pstream.common.data.Data;
import p2pstream.common.net.Connection;
import p2pstream.common.net.EventLoop;

/**
 * One request and its response: {@link #respond} sends the status and headers, {@link #send} queues body bytes
 * (any {@link Data}: a {@code FileData} region goes out with sendfile), {@link #end} completes it. A handler may
 * answer at once or park the exchange and finish it later, a piece at a time, as bytes become available; it keeps
 * its queue bounded with {@link #isWritable} and {@link #onWritable}, and learns from {@link #onClose} that the
 * exchange is over, the response complete or the client gone. Loop thread only ({@link #loop}); another thread
 * hands work to it with {@code exchange.loop().execute(...)}.
 */
public final class HttpExchange {
    /** Where the response stands. */
    private enum State { WAITING, BODY, DONE, CLOSED }

    private final HttpConnection owner;
    private final Connection connection;
    private final HttpRequest request;
    private State state = State.WAITING;
    /** Declared body length, or -1: chunked (HTTP/1.1), or until the connection closes (HTTP/1.0). */
    private long contentLength;
    private long bodyBytes;
    private boolean chunked;
    private boolean chunkSent;
    private boolean closeAfter;
    private Runnable writableTask;
    private Runnable closeTask;

    HttpExchange(HttpConnection owner, Connection connection, HttpRequest request) {
        this.owner = owner;
        this.connection = connection;
        this.request = request;
        this.closeAfter = !request.keepAlive();
    }

    public HttpRequest request() {
        return request;
    }

    /** The loop this exchange lives on: every other method must be called on its thread. Any thread. */
    public EventLoop loop() {
        return connection.loop();
    }

    public InetSocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    /**
     * Sends the status line and headers. The exchange adds the framing: {@code Content-Length} for a
     * {@code contentLength} of 0 or more, else {@code Transfer-Encoding: chunked} (HTTP/1.0: the body ends with
     * the connection), and {@code Connection}; {@code headers} (null for none) must not hold those three. A HEAD
     * request gets the head only: the exchange is then over, and {@link #send} drops what it is given.
     */
    public void respond(int status, HttpHeaders headers, long contentLength) {
        if (state == State.CLOSED) {
            return;
        }
        if (state != State.WAITING) {
            throw new IllegalStateException("respond: called again for " + request + " (expected: once)");
        }
        boolean bodiless = status == HttpStatus.NO_CONTENT || status == HttpStatus.NOT_MODIFIED;
        if (status < 200 || status > 599 || contentLength < -1 || bodiless && contentLength != 0) {
            throw new IllegalArgumentException("respond: status " + status + ", content length " + contentLength
                    + " (expected: 200..599, a length >= 0 or -1, 0 for 204 and 304)");
        }
        HttpHeaders given = headers == null ? new HttpHeaders() : headers;
        for (String framing : new String[] {"Content-Length", "Transfer-Encoding", "Connection"}) {
            if (given.get(framing) != null) {
                throw new IllegalArgumentException("respond: header " + framing + " (expected: none, the exchange"
                        + " sets it)");
            }
        }
        this.contentLength = contentLength;
        HttpHeaders framing = new HttpHeaders();
        if (contentLength >= 0) {
            if (!bodiless) {
                framing.addChecked("Content-Length", Long.toString(contentLength));
            }
        } else if (request.isHttp10()) {
            closeAfter = true; // HTTP/1.0 has no chunks: the end of the connection is the end of the body
        } else {
            chunked = true;
            framing.addChecked("Transfer-Encoding", "chunked");
        }
        if (closeAfter) {
            framing.addChecked("Connection", "close");
        } else if (request.isHttp10()) {
            framing.addChecked("Connection", "keep-alive");
        }
        connection.send(BufferData.of(ResponseWriter.head(status, given, framing)));
        owner.onResponse(status);
        state = State.BODY;
        if (request.isHead() || contentLength == 0) {
            finish();
        }
    }

    /** A whole response in one call: {@code body} as UTF-8 text of type {@code contentType}. */
    public void respond(int status, String contentType, String body) {
        respond(status, new HttpHeaders().add("Content-Type", contentType), body);
    }

    /** A whole response in one call: {@code body} as UTF-8, with {@code headers} (its Content-Type among them). */
    public void respond(int status, HttpHeaders headers, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        respond(status, headers, bytes.length);
        send(BufferData.of(ByteBuffer.wrap(bytes)));
        end();
    }

    /**
     * Queues body bytes after those before; the exchange owns {@code data} from now on. Dropped (released) once
     * the exchange is closed or for a HEAD request. More bytes than the declared length is a bug: it throws.
     */
    public void send(Data data) {
        long bytes = data.remaining();
        if (state == State.CLOSED || request.isHead() && state == State.DONE || bytes == 0) {
            data.release();
            return;
        }
        if (state != State.BODY || contentLength >= 0 && bodyBytes + bytes > contentLength) {
            data.release();
            throw new IllegalStateException("send: " + bytes + " bytes after " + bodyBytes + ", "
                    + state + " (expected: after respond, before end, within Content-Length "
                    + contentLength + ")");
        }
        bodyBytes += bytes;
        if (chunked) {
            connection.send(BufferData.of(ResponseWriter.chunkSize(bytes, chunkSent)));
            chunkSent = true;
        }
        connection.send(data);
    }

    /**
     * Completes the response; the connection then reads the next request, or closes. Ending a body shorter than
     * its declared length cuts the connection (the client sees it short) and throws: a handler's bug.
     */
    public void end() {
        if (state == State.CLOSED || state == State.DONE) {
            return;
        }
        if (state == State.WAITING) {
            throw new IllegalStateException("end: before respond for " + request + " (expected: respond first)");
        }
        if (contentLength >= 0 && bodyBytes < contentLength) {
            String why = "body: " + bodyBytes + " of " + contentLength + " bytes at end (expected: all)";
            abort(why);
            throw new IllegalStateException(why);
        }
        if (chunked) {
            connection.send(BufferData.of(ResponseWriter.lastChunk(chunkSent)));
        }
        finish();
    }

    /**
     * Gives up on the response (its source failed): writes what is queued, then closes the connection, so the
     * client sees the body cut short. Runs the {@link #onClose} tasks.
     */
    public void abort(String reason) {
        if (state == State.CLOSED || state == State.DONE) {
            return;
        }
        state = State.CLOSED;
        connection.closeAfterFlush(reason);
        over();
    }

    /** The response is under way and the connection's queue below its high watermark: more body may be sent. */
    public boolean isWritable() {
        return state == State.BODY && connection.isWritable();
    }

    /**
     * Runs {@code task} once, when the connection can take more body: soon (as a task) if it can now, else when
     * its queue has drained to the low watermark. Replaces a task set before; never runs once the exchange is over.
     */
    public void onWritable(Runnable task) {
        if (state == State.DONE || state == State.CLOSED) {
            return;
        }
        writableTask = task;
        if (connection.isWritable()) {
            loop().execute(this::writable); // never from inside the caller's own send loop
        }
    }

    /**
     * Runs {@code task} once when the exchange is over: its response ended (at {@link #end}, or at
     * {@link #respond} for HEAD) or was aborted, or the client went away. At once if it is over already.
     */
    public void onClose(Runnable task) {
        if (state == State.DONE || state == State.CLOSED) {
            task.run();
            return;
        }
        Runnable before = closeTask;
        closeTask = before == null ? task : () -> {
            before.run();
            task.run();
        };
    }

    /** The response can still be sent: the exchange is not over. */
    public boolean isOpen() {
        return state == State.WAITING || state == State.BODY;
    }

    /** Bytes queued on the connection, not yet taken by the socket; for tests and figures. */
    long pendingBytes() {
        return connection.pendingBytes();
    }

    /** The connection drained (or a deferred check): runs the waiting task if it can take more now. */
    void writable() {
        Runnable task = writableTask;
        if (task != null && isOpen() && connection.isWritable()) {
            writableTask = null;
            task.run();
        }
    }

    /** The handler threw: a 500 if nothing was sent yet, else the response is cut. */
    void failed(RuntimeException e) {
        if (state == State.WAITING) {
            closeAfter = true;
            respond(HttpStatus.INTERNAL_ERROR, ResponseWriter.TEXT, "500 Internal Server Error\n");
        } else {
            abort("handler failed: " + e);
        }
    }

    /** The connection closed. */
    void closed() {
        if (isOpen()) {
            state = State.CLOSED;
            over();
        }
    }

    private void finish() {
        state = State.DONE;
        owner.onExchangeDone(this, closeAfter);
        over();
    }

    private void over() {
        writableTask = null;
        Runnable task = closeTask;
        closeTask = null;
        if (task != null) {
            task.run();
        }
    }

    @Override
    public String toString() {
        return "HttpExchange[" + request + " " + state + "]";
    }
}
