package p2pstream.common.http;

/** The status codes this server answers with itself, and the reason phrase of each status line. Stateless. */
final class HttpStatus {
    static final int OK = 200;
    static final int NO_CONTENT = 204;
    static final int PARTIAL_CONTENT = 206;
    static final int NOT_MODIFIED = 304;
    static final int BAD_REQUEST = 400;
    static final int FORBIDDEN = 403;
    static final int NOT_FOUND = 404;
    static final int METHOD_NOT_ALLOWED = 405;
    static final int REQUEST_TIMEOUT = 408;
    static final int LENGTH_REQUIRED = 411;
    static final int CONTENT_TOO_LARGE = 413;
    static final int URI_TOO_LONG = 414;
    static final int RANGE_NOT_SATISFIABLE = 416;
    static final int HEADERS_TOO_LARGE = 431;
    static final int INTERNAL_ERROR = 500;
    static final int UNAVAILABLE = 503;
    static final int VERSION_NOT_SUPPORTED = 505;

    private HttpStatus() {
    }

    /** The reason phrase of {@code status}; clients ignore it, so an unlisted status gets a generic one. */
    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 303 -> "See Other";
            case 304 -> "Not Modified";
            case 307 -> "Temporary Redirect";
            case 308 -> "Permanent Redirect";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 410 -> "Gone";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 416 -> "Range Not Satisfiable";
            case 421 -> "Misdirected Request";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error" : "Server Error";
        };
    }
}
