package p2pstream.common.http;

/**
 * Answers requests: gets each one's {@link HttpExchange} on the connection's loop thread, and responds at once or
 * later (from a task on {@link HttpExchange#loop}). Must not block: the loop serves every connection on it.
 */
@FunctionalInterface
public interface HttpHandler {

    /**
     * A request head arrived and passed the server's checks. The connection reads no further request until this
     * one's response has ended. An exception here answers 500 (or cuts a response already started).
     */
    void onRequest(HttpExchange exchange);
}
