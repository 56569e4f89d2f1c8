package p2pstream.common.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of responses: a status line and header fields (always with {@code Server} and
 * {@code X-Content-Type-Options: nosniff}), the size lines of a chunked body, and whole short answers for refused
 * requests. Stateless.
 */
final class ResponseWriter {
    static final String SERVER = "p2pstream";
    static final String TEXT = "text/plain; charset=utf-8";
    /** What a 405 says the server takes. */
    static final String ALLOWED_METHODS = "GET, HEAD";
    private static final int HEAD_CHARS_GUESS = 256;

    private ResponseWriter() {
    }

    /** The status line, each group's fields in order, the standard fields and the empty line. */
    static ByteBuffer head(int status, HttpHeaders... groups) {
        StringBuilder sb = new StringBuilder(HEAD_CHARS_GUESS);
        sb.append(HttpRequest.HTTP_1_1).append(' ').append(status).append(' ').append(HttpStatus.reason(status))
                .append("\r\n");
        for (HttpHeaders fields : groups) {
            for (int i = 0; i < fields.size(); i++) {
                sb.append(fields.name(i)).append(": ").append(fields.value(i)).append("\r\n");
            }
        }
        sb.append("Server: ").append(SERVER).append("\r\nX-Content-Type-Options: nosniff\r\n\r\n");
        return ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The line before a chunk of {@code bytes}, after the CRLF that ends the previous chunk, if any. */
    static ByteBuffer chunkSize(long bytes, boolean afterChunk) {
        String line = (afterChunk ? "\r\n" : "") + Long.toHexString(bytes) + "\r\n";
        return ByteBuffer.wrap(line.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The end of a chunked body: the last chunk's CRLF if any, a zero-size chunk, no trailer. */
    static ByteBuffer lastChunk(boolean afterChunk) {
        return ByteBuffer.wrap((afterChunk ? "\r\n0\r\n\r\n" : "0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * A whole answer to a request the server refuses and then closes the connection: the status, a line of text
     * saying why, {@code Connection: close} (and {@code Allow} for a 405).
     */
    static ByteBuffer refusal(int status, String why) {
        return refusal(status, why, false);
    }

    /** The same; for a HEAD request ({@code headOnly}) without the text, which a HEAD answer never carries. */
    static ByteBuffer refusal(int status, String why, boolean headOnly) {
        byte[] body = (status + " " + HttpStatus.reason(status) + ": " + why + "\n").getBytes(StandardCharsets.UTF_8);
        HttpHeaders fields = new HttpHeaders().addChecked("Content-Type", TEXT)
                .addChecked("Content-Length", Integer.toString(body.length)).addChecked("Connection", "close");
        if (status == HttpStatus.METHOD_NOT_ALLOWED) {
            fields.addChecked("Allow", ALLOWED_METHODS);
        }
        ByteBuffer head = head(status, fields);
        if (headOnly) {
            return head;
        }
        return ByteBuffer.allocate(head.remaining() + body.length).put(head).put(body).flip();
    }
}
