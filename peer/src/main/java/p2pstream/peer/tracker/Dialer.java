package p2pstream.peer.tracker;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.Limits;
import p2pstream.common.net.TokenBucket;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.Dial;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Join;
import p2pstream.common.wire.ProtocolException;

/**
 * A holder's side of the connections the tracker arranges (PROTOCOL.md section 11): it connects to the viewer that
 * asked, from its listening port for a punch, as the secure handshake's responder demanding the viewer's id, and
 * serves it exactly as if it had accepted it. DIALs for the fetching side go on to {@code fetcher}. At most
 * {@link #MAX_DIALING} such connections are being made at once. Loop thread only (the tracker client's loop).
 */
public final class Dialer implements TrackerClient.Arrivals {
    private static final Logger log = LoggerFactory.getLogger(Dialer.class);
    /** A tracker cannot make a holder open more than this many connections at once. */
    static final int MAX_DIALING = 32;
    /** An arranged connection not made by then is given up: the fetcher's own deadline has passed too. */
    static final long CONNECT_TIMEOUT_MILLIS = 10_000;
    /**
     * A punch that works does so within a SYN's first retransmit, and the fetcher gives up after this long too
     * (Swarm.PUNCH_MILLIS): a SYN sent on after that only leaves stale state in both NATs for the next try.
     */
    static final long PUNCH_TIMEOUT_MILLIS = 3_000;

    private final EventLoop loop;
    private final StaticKey key;
    private final int listenPort;
    private final Supplier<ConnectionHandler> servers;
    private final Limits limits;
    private final TokenBucket uploadCap;
    private final TrackerClient.Arrivals fetcher;
    private int dialing;

    /**
     * @param servers   a fresh serving handler per connection, as the listener makes them
     * @param uploadCap the listener's shared upload cap, or null
     * @param fetcher   where DIALs for the fetching side go (a viewer's streams), or null to ignore them
     */
    public Dialer(EventLoop loop, StaticKey key, int listenPort, Supplier<ConnectionHandler> servers, Limits limits,
                  TokenBucket uploadCap, TrackerClient.Arrivals fetcher) {
        this.loop = loop;
        this.key = key;
        this.listenPort = listenPort;
        this.servers = servers;
        this.limits = limits;
        this.uploadCap = uploadCap;
        this.fetcher = fetcher;
    }

    @Override
    public void onDial(Dial d) {
        if (d.fetcher()) {
            if (fetcher != null) {
                fetcher.onDial(d);
            }
            return;
        }
        if (dialing >= MAX_DIALING) {
            log.info("DIAL to {} dropped: {} arranged connections being made (expected: fewer)", d.otherAddress(),
                    dialing);
            return;
        }
        dialing++;
        loop.schedule(d.delayMillis(), () -> {
            Counted handler = new Counted(servers.get());
            EventLoop.Dialing how = switch (d.mode()) {
                case PUNCH -> new EventLoop.Dialing(listenPort, false, null);
                case RELAY -> new EventLoop.Dialing(0, false, Frames.encode(new Join(d.token(), false)).array());
                case REVERSAL -> new EventLoop.Dialing(0, false, null);
            };
            Connection c;
            try {
                c = loop.connect(d.otherAddress(), how, handler, limits, key, d.other());
            } catch (RuntimeException e) {
                handler.release(); // no socket (out of descriptors): no close will give the place back
                log.info("{} to {}: {}", d.mode(), d.otherAddress(), e.getMessage());
                return;
            }
            c.uploadCap(uploadCap);
            // a punch through a NAT that changed our port never connects, and TCP would try for minutes
            long timeoutMillis = d.mode() == Dial.Mode.PUNCH ? PUNCH_TIMEOUT_MILLIS : CONNECT_TIMEOUT_MILLIS;
            loop.schedule(timeoutMillis, () -> {
                if (handler.counted) {
                    log.info("{} to {}: not connected within {} ms", d.mode().name().toLowerCase(Locale.ROOT),
                            d.otherAddress(), timeoutMillis);
                    c.close("not connected within " + timeoutMillis + " ms");
                }
            });
            log.info("{} for {}: connecting to {}", d.mode().name().toLowerCase(Locale.ROOT), d.contentId().shortHex(),
                    d.otherAddress());
        });
    }

    /** A serving handler that gives back its place among the connections being made once it opens or fails. */
    private final class Counted implements ConnectionHandler {
        private final ConnectionHandler served;
        private boolean counted = true;

        Counted(ConnectionHandler served) {
            this.served = served;
        }

        private void release() {
            if (counted) {
                counted = false;
                dialing--;
            }
        }

        @Override
        public void onOpen(Connection connection) {
            release();
            served.onOpen(connection);
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            served.onFrame(type, payload);
        }

        @Override
        public ByteBuffer payloadBuffer(int type, int payloadBytes) {
            return served.payloadBuffer(type, payloadBytes);
        }

        @Override
        public void onWritable() {
            served.onWritable();
        }

        @Override
        public void onClose(String reason) {
            release();
            served.onClose(reason);
        }
    }
}
