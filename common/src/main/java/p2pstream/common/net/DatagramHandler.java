package p2pstream.common.net;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** What a {@link DatagramEndpoint} does with each datagram it receives. Called on the endpoint's loop thread. */
@FunctionalInterface
public interface DatagramHandler {
    /**
     * One datagram from {@code from}, position to limit; the buffer is reused for the next one, so keep nothing of
     * it. Datagrams larger than the endpoint's limit never get here.
     */
    void onDatagram(ByteBuffer datagram, InetSocketAddress from);
}
