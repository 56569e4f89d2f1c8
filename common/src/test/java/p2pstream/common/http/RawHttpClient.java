package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking raw-socket HTTP/1.1 client for tests: sends any bytes, reads responses strictly (status line, header
 * fields, a body by Content-Length, chunks or the connection's end) and checks how the server closes. Not
 * thread-safe; one per test thread.
 */
final class RawHttpClient implements AutoCloseable {
    static final int READ_TIMEOUT_MILLIS = 10_000;
    private static final int MAX_LINE_BYTES = 64 * 1024;

    /** One response as received; {@code body} is null for a head read alone. */
    record Response(int status, List<String> fields, byte[] body) {
        /** The first value of {@code name}, or null. */
        String header(String name) {
            for (int i = 0; i < fields.size(); i += 2) {
                if (fields.get(i).equalsIgnoreCase(name)) {
                    return fields.get(i + 1);
                }
            }
            return null;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean chunked() {
            return "chunked".equalsIgnoreCase(header("Transfer-Encoding"));
        }

        boolean closes() {
            return "close".equalsIgnoreCase(header("Connection"));
        }

        Response withBody(byte[] bytes) {
            return new Response(status, fields, bytes);
        }
    }

    private final Socket socket;
    private final InputStream in;

    private RawHttpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    static RawHttpClient connect(InetSocketAddress address) throws IOException {
        return connect(address, 0);
    }

    /** Connects with a receive buffer of {@code receiveBufferBytes} (0: the system's), set before connecting. */
    static RawHttpClient connect(InetSocketAddress address, int receiveBufferBytes) throws IOException {
        return connect(address, receiveBufferBytes, null);
    }

    /** From {@code from} (e.g. 127.0.0.2: all of loopback's /8 is local), as another host would. */
    static RawHttpClient connectFrom(InetAddress from, InetSocketAddress address) throws IOException {
        return connect(address, 0, from);
    }

    private static RawHttpClient connect(InetSocketAddress address, int receiveBufferBytes, InetAddress from)
            throws IOException {
        Socket s = new Socket();
        if (from != null) {
            s.bind(new InetSocketAddress(from, 0));
        }
        if (receiveBufferBytes > 0) {
            s.setReceiveBufferSize(receiveBufferBytes);
        }
        s.connect(address, READ_TIMEOUT_MILLIS);
        s.setSoTimeout(READ_TIMEOUT_MILLIS);
        s.setTcpNoDelay(true);
        return new RawHttpClient(s);
    }

    /** A GET (or other method) of {@code target} with {@code Host: localhost} and the extra header lines given. */
    static String request(String method, String target, String... lines) {
        StringBuilder sb = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n");
        for (String line : lines) {
            sb.append(line).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    RawHttpClient send(String text) throws IOException {
        return sendBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttpClient sendBytes(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Sends a GET of {@code target} and reads its response. */
    Response get(String target, String... lines) throws IOException {
        return send(request("GET", target, lines)).read(false);
    }

    /** Reads one whole response; {@code toHead}: the answer to a HEAD, so no body whatever the framing says. */
    Response read(boolean toHead) throws IOException {
        Response head = readHead();
        if (toHead) {
            return head.withBody(new byte[0]);
        }
        return head.withBody(readBody(head));
    }

    /** Reads a status line and header fields. */
    Response readHead() throws IOException {
        return readHead(-1);
    }

    /** The same, after the status line's first byte {@code first} was read already (-1: none was). */
    Response readHead(int first) throws IOException {
        String status = (first < 0 ? "" : String.valueOf((char) first)) + line();
        assertTrue(status.matches("HTTP/1\\.1 [1-5][0-9][0-9] [^\r\n]*"), "status line: " + status);
        List<String> fields = new ArrayList<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            assertTrue(colon > 0, "header line: " + line);
            fields.add(line.substring(0, colon));
            fields.add(line.substring(colon + 1).strip());
        }
        return new Response(Integer.parseInt(status.substring(9, 12)), fields, null);
    }

    /** The body after {@code head}: by its framing, or up to the connection's end. */
    byte[] readBody(Response head) throws IOException {
        if (head.chunked()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] chunk = readChunk(); chunk.length > 0; chunk = readChunk()) {
                out.write(chunk);
            }
            return out.toByteArray();
        }
        String length = head.header("Content-Length");
        if (length == null) {
            return in.readAllBytes();
        }
        return readFully(Integer.parseInt(length));
    }

    /** One chunk of a chunked body; empty for the last one (its trailer, none, read too). */
    byte[] readChunk() throws IOException {
        String size = line();
        assertTrue(size.matches("[0-9a-f]+"), "chunk size line: " + size);
        int bytes = Integer.parseInt(size, 16);
        byte[] chunk = readFully(bytes);
        assertEquals("", line(), bytes == 0 ? "end of the trailer" : "CRLF after a chunk");
        return chunk;
    }

    byte[] readFully(int bytes) throws IOException {
        byte[] b = in.readNBytes(bytes);
        if (b.length < bytes) {
            throw new EOFException("body: " + b.length + " of " + bytes + " bytes before the end");
        }
        return b;
    }

    /** Expects the server to close: end of stream (or a reset) within the read timeout, no more bytes. */
    void expectEof() throws IOException {
        int b;
        try {
            b = in.read();
        } catch (SocketException e) {
            return; // reset: closed too
        }
        assertEquals(-1, b, "expected the connection closed, got more bytes");
    }

    /** True when the server has neither closed nor sent anything for {@code millis}. */
    boolean silentFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            in.read(); // a byte or the end: either way the server was not silent
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        }
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    InputStream input() {
        return in;
    }

    /** Closes with a reset (SO_LINGER 0), as a client killed mid-transfer. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed mid-line: " + line.toString(StandardCharsets.ISO_8859_1));
            }
            line.write(b);
            assertTrue(line.size() < MAX_LINE_BYTES, "line longer than " + MAX_LINE_BYTES);
        }
        byte[] bytes = line.toByteArray();
        assertTrue(bytes.length > 0 && bytes[bytes.length - 1] == '\r', "line without CR: "
                + line.toString(StandardCharsets.ISO_8859_1));
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
    }
}
