package p2pstream.peer.relay;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Clock;
import p2pstream.common.wire.CircuitOrder;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Token;

/**
 * One circuit a relay carries: its two ends once they joined, the bytes carried, and its bounds. Either end closing
 * ends it. Relay loop only.
 */
final class Circuit {
    private static final Logger log = LoggerFactory.getLogger(Circuit.class);

    private final CircuitOrder order;
    private final Relay.Limit limit;
    private final Clock clock;
    private CircuitEnd fetcher;
    private CircuitEnd holder;
    private long bytes;
    private long joinedNanos;
    private boolean closed;

    Circuit(CircuitOrder order, Relay.Limit limit, Clock clock) {
        this.order = order;
        this.limit = limit;
        this.clock = clock;
    }

    Token token() {
        return order.token();
    }

    boolean isJoined() {
        return fetcher != null && holder != null;
    }

    void join(CircuitEnd end, boolean asFetcher) throws ProtocolException {
        if (closed || (asFetcher ? fetcher : holder) != null) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "circuit " + order.token() + ": the "
                    + (asFetcher ? "fetcher" : "holder") + " end joined already (expected: each end once)");
        }
        if (asFetcher) {
            fetcher = end;
        } else {
            holder = end;
        }
        if (isJoined()) {
            joinedNanos = clock.nanoTime();
            fetcher.splice(holder);
            holder.splice(fetcher);
            log.info("circuit {} joined: {} <-> {}", order.token(), fetcher, holder);
        }
    }

    /** How long the circuit has carried bytes, at {@code nowNanos}; 0 before both ends joined. */
    long runningNanos(long nowNanos) {
        return joinedNanos == 0 ? 0 : nowNanos - joinedNanos;
    }

    /** {@code n} more bytes went through; false once the circuit has carried its limit (and is closing). */
    boolean carried(long n) {
        bytes += n;
        if (bytes > limit.maxBytes()) {
            close("circuit bytes: " + bytes + " (expected: <= " + limit.maxBytes() + "; --relay-bytes)");
            return false;
        }
        return true;
    }

    long bytes() {
        return bytes;
    }

    /** Ends both sides (each sends what it holds first). Idempotent. */
    void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (joinedNanos != 0) {
            log.info("circuit {} ended after {} ms, {} bytes: {}", order.token(),
                    (clock.nanoTime() - joinedNanos) / 1_000_000, bytes, reason);
        }
        if (fetcher != null) {
            fetcher.end(reason);
        }
        if (holder != null) {
            holder.end(reason);
        }
    }
}
