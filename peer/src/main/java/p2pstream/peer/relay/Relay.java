package p2pstream.peer.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.common.net.Limits;
import p2pstream.common.net.TokenBucket;
import p2pstream.common.wire.CircuitOrder;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Join;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Token;

/**
 * A public peer's relay (PROTOCOL.md section 11): it takes circuits the tracker orders, each between two peers that
 * could not reach each other, on a port of its own; each end connects, says JOIN with the circuit's token, and the
 * relay carries the bytes between them unread (they run their own secure handshake through it, so it sees only
 * ciphertext). Bounded by circuits at once, bytes and time per circuit, and the shared upload cap. Its connections
 * live on one loop of their own, so both ends of a circuit are on the same thread. {@link #order} may be called from
 * any thread; the rest runs on the relay's loop.
 */
public final class Relay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);
    /** An ordered circuit whose ends do not both join within this long is dropped. */
    static final long JOIN_WAIT_MILLIS = 15_000;
    /** How often circuits past --relay-time are looked for. */
    static final long SWEEP_MILLIS = 10_000;
    /** Circuit connections speak one JOIN frame, then bytes: a small frame limit, and idle for as long as a ping. */
    static final Limits LIMITS = Limits.CONTROL.withMaxFrameBytes(64).withIdleTimeoutMillis(120_000)
            .withHelloTimeoutMillis(JOIN_WAIT_MILLIS);

    /**
     * @param maxCircuits circuits ordered or running at once; orders beyond are dropped
     * @param maxBytes    bytes a circuit carries (both ways together) before it is closed
     * @param maxMillis   how long a circuit may run before it is closed
     */
    public record Limit(int maxCircuits, long maxBytes, long maxMillis) {
        public static final Limit DEFAULT = new Limit(64, 4L << 30, 2 * 3_600_000L);
    }

    private final EventLoopGroup group = new EventLoopGroup("relay", 1);
    private final EventLoop loop = group.loops().get(0);
    private final Limit limit;
    private final Acceptor acceptor;
    private final Map<Token, Circuit> circuits = new HashMap<>();

    /** Listens on {@code bind} (port 0: a free one); {@code uploadCap}, shared with the peer's serving, or null. */
    public Relay(InetSocketAddress bind, Limit limit, TokenBucket uploadCap) throws IOException {
        this.limit = limit;
        try {
            // the ends' secure handshake runs through the circuit, end to end: the relay's own listener is plaintext
            this.acceptor = Acceptor.open(group, bind, () -> new CircuitEnd(this), LIMITS, 2 * limit.maxCircuits() + 16,
                    2 * limit.maxCircuits() + 16, uploadCap);
        } catch (IOException e) {
            group.close();
            throw e;
        }
        loop.execute(this::sweep);
    }

    public InetSocketAddress address() {
        return acceptor.localAddress();
    }

    /** The tracker ordered a circuit: its ends may join with the order's token from now on. Any thread. */
    public void order(CircuitOrder o) {
        loop.execute(() -> {
            if (circuits.size() >= limit.maxCircuits()) {
                log.info("circuit {} refused: {} circuits (expected: fewer; --relay-circuits)", o.token(),
                        circuits.size());
                return;
            }
            Circuit c = new Circuit(o, limit, loop.clock());
            circuits.put(o.token(), c);
            loop.schedule(JOIN_WAIT_MILLIS, () -> {
                if (!c.isJoined() && circuits.remove(o.token(), c)) {
                    c.close("not joined by both ends within " + JOIN_WAIT_MILLIS + " ms");
                }
            });
            log.info("circuit {} ordered: {} -> {}", o.token(), o.holder().text(), o.fetcher().text());
        });
    }

    /** Circuits ordered or running, read on the relay's loop. Any thread. */
    public int circuitCount() {
        CompletableFuture<Integer> n = new CompletableFuture<>();
        loop.execute(() -> n.complete(circuits.size()));
        return n.join();
    }

    /**
     * Closes the circuits past their time, then looks again in a while. A sweep, not a timer per circuit: a
     * cancelled timer stays queued until it is due, and would keep every ended circuit for --relay-time.
     */
    private void sweep() {
        long now = loop.nanoTime();
        for (Circuit c : List.copyOf(circuits.values())) {
            if (c.isJoined() && c.runningNanos(now) > limit.maxMillis() * 1_000_000) {
                c.close("circuit time: " + limit.maxMillis() + " ms (expected: less; --relay-time)");
            }
        }
        loop.schedule(Math.min(SWEEP_MILLIS, limit.maxMillis()), this::sweep);
    }

    /** An end said JOIN: it becomes that end of its circuit. Relay loop. */
    Circuit onJoin(CircuitEnd end, Join j) throws ProtocolException {
        Circuit c = circuits.get(j.token());
        if (c == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "circuit: " + j.token() + " (expected: a token the"
                    + " tracker ordered and nobody used up)");
        }
        c.join(end, j.fetcher());
        return c;
    }

    /** A circuit ended: its token is spent. Relay loop. */
    void onEnded(Circuit c) {
        circuits.remove(c.token(), c);
    }

    @Override
    public void close() {
        acceptor.close();
        group.close();
    }
}
