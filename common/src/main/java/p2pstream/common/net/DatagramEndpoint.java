package p2pstream.common.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP socket selected by an {@link EventLoop} beside its connections (the LAN beacon): each datagram that arrives
 * is handed to a {@link DatagramHandler}, and {@link #send} drops what the socket cannot take at once, since a
 * datagram protocol must live with loss anyway and nothing is queued in the heap. Made with
 * {@link EventLoop#register(DatagramChannel, int, DatagramHandler)}; every method on the loop thread only, but
 * {@link #close}, which any thread may call.
 */
public final class DatagramEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatagramEndpoint.class);
    /** Datagrams read per readiness event at most, so a flood cannot hold the loop from its connections. */
    static final int MAX_DATAGRAMS_PER_EVENT = 64;

    private final EventLoop loop;
    private final DatagramChannel channel;
    private final DatagramHandler handler;
    /** One byte more than the largest datagram taken: a datagram that fills it was larger, and is dropped. */
    private final ByteBuffer receive;
    private final int maxDatagramBytes;
    private SelectionKey key;
    private long received;
    private long oversized;
    private long unsent;

    DatagramEndpoint(EventLoop loop, DatagramChannel channel, int maxDatagramBytes, DatagramHandler handler) {
        this.loop = loop;
        this.channel = channel;
        this.handler = handler;
        this.maxDatagramBytes = maxDatagramBytes;
        this.receive = ByteBuffer.allocate(maxDatagramBytes + 1);
    }

    void key(SelectionKey key) {
        this.key = key;
    }

    /** The bound address (with the real port when 0 was asked for), or null once closed. */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** The channel, for its socket options (multicast interface and group memberships). */
    public DatagramChannel channel() {
        return channel;
    }

    /** Datagrams handed to the handler so far. */
    public long received() {
        return received;
    }

    /** Datagrams dropped for being larger than the limit. */
    public long oversized() {
        return oversized;
    }

    /** Datagrams {@link #send} could not hand to the socket. */
    public long unsent() {
        return unsent;
    }

    /**
     * Sends {@code datagram} (position to limit) to {@code to}; true when the socket took it, false when it could
     * not now (its buffer full, the address unreachable): the datagram is dropped and counted.
     */
    public boolean send(ByteBuffer datagram, SocketAddress to) {
        try {
            if (channel.send(datagram, to) > 0) {
                return true;
            }
        } catch (IOException e) {
            log.debug("datagram to {}: {}", to, e.toString());
        }
        unsent++;
        return false;
    }

    /** Reads what arrived, a bounded number of datagrams, and hands each to the handler. */
    void onReadable() {
        for (int i = 0; i < MAX_DATAGRAMS_PER_EVENT; i++) {
            receive.clear();
            SocketAddress from;
            try {
                from = channel.receive(receive);
            } catch (IOException e) {
                log.debug("datagram receive on {}: {}", localAddress(), e.toString());
                return; // an ICMP error reported on the socket, say: the next datagram is still readable
            }
            if (from == null) {
                return;
            }
            receive.flip();
            if (receive.remaining() > maxDatagramBytes) {
                oversized++;
                continue;
            }
            received++;
            try {
                handler.onDatagram(receive, (InetSocketAddress) from);
            } catch (RuntimeException e) {
                // a handler's bug on one datagram must not close the socket for everyone else
                log.warn("datagram from {}: handler failed", from, e);
            }
        }
    }

    /** Stops selecting and closes the channel. Any thread. */
    @Override
    public void close() {
        if (loop.inEventLoop()) {
            closeChannel();
        } else {
            loop.execute(this::closeChannel);
            try {
                channel.close();
            } catch (IOException e) {
                log.debug("close datagram channel: {}", e.toString());
            }
        }
    }

    void closeChannel() {
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("close datagram channel: {}", e.toString());
        }
    }
}
