package p2pstream.common.http;

/**
 * A request the server refuses before any handler sees it: a malformed or oversized head, a method other than GET
 * and HEAD, a body where none is expected. Carries the status to answer with. Thread-safe (immutable).
 */
final class HttpException extends Exception {
    private static final long serialVersionUID = 1L;
    private static final int SHOWN_CHARS = 100;
    private final int status;

    HttpException(int status, String message) {
        super(message, null, false, false); // no stack trace: a client's bad input is routine, not a bug
        this.status = status;
    }

    int status() {
        return status;
    }

    /** {@code text} for a message: cut to its first 100 characters, so a long target does not make a long log line. */
    static String shown(String text) {
        return text.length() <= SHOWN_CHARS ? text : text.substring(0, SHOWN_CHARS) + "...";
    }

    static HttpException badRequest(String message) {
        return new HttpException(HttpStatus.BAD_REQUEST, message);
    }
}
