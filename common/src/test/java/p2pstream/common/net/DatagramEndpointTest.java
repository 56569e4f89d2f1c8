package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.Loopback.onLoop;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A UDP socket on the event loop, over loopback unicast: datagrams in and out, the size limit, a flood, close. */
@Timeout(30)
class DatagramEndpointTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void receivesEachDatagramOnTheLoopAndAnswersItsSender() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (EventLoop loop = new EventLoop("udp").start(); DatagramChannel client = DatagramChannel.open()) {
            DatagramEndpoint[] echo = new DatagramEndpoint[1];
            DatagramEndpoint endpoint = onLoop(loop, () -> {
                DatagramChannel channel = DatagramChannel.open().bind(LOOPBACK);
                echo[0] = loop.register(channel, 64, (datagram, from) -> {
                    assertTrue(loop.inEventLoop());
                    String text = StandardCharsets.UTF_8.decode(datagram).toString();
                    seen.add(text);
                    echo[0].send(StandardCharsets.UTF_8.encode("re: " + text), from);
                });
                return echo[0];
            });
            client.bind(LOOPBACK);
            for (String text : List.of("one", "two", "three")) {
                client.send(StandardCharsets.UTF_8.encode(text), endpoint.localAddress());
            }
            ByteBuffer answer = ByteBuffer.allocate(64);
            client.receive(answer.clear());
            assertEquals("re: one", StandardCharsets.UTF_8.decode(answer.flip()).toString());
            await("three datagrams", () -> seen.size() == 3);
            assertEquals(List.of("one", "two", "three"), seen);
            assertEquals(3, onLoop(loop, endpoint::received));
        }
    }

    @Test
    void dropsADatagramLargerThanTheLimitAndKeepsReading() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (EventLoop loop = new EventLoop("udp").start(); DatagramChannel client = DatagramChannel.open()) {
            DatagramEndpoint endpoint = onLoop(loop, () -> loop.register(DatagramChannel.open().bind(LOOPBACK), 16,
                    (datagram, from) -> sizes.add(datagram.remaining())));
            client.send(ByteBuffer.allocate(17), endpoint.localAddress());
            client.send(ByteBuffer.allocate(1_000), endpoint.localAddress());
            client.send(ByteBuffer.allocate(16), endpoint.localAddress());
            await("the datagram within the limit", () -> sizes.size() == 1);
            assertEquals(List.of(16), sizes);
            assertEquals(2, onLoop(loop, endpoint::oversized));
        }
    }

    @Test
    void readsManyDatagramsInBatchesWithTasksBetween() throws Exception {
        int batches = 20;
        int perBatch = 50; // well within a loopback socket's buffer: none is lost
        AtomicLong count = new AtomicLong();
        try (EventLoop loop = new EventLoop("udp").start(); DatagramChannel client = DatagramChannel.open()) {
            DatagramEndpoint endpoint = onLoop(loop, () -> loop.register(DatagramChannel.open().bind(LOOPBACK), 8,
                    (datagram, from) -> count.incrementAndGet()));
            for (int b = 1; b <= batches; b++) {
                for (int i = 0; i < perBatch; i++) {
                    client.send(ByteBuffer.allocate(8), endpoint.localAddress());
                }
                long expected = (long) b * perBatch;
                await("batch " + b, () -> count.get() == expected);
                assertEquals(Boolean.TRUE, onLoop(loop, () -> true), "a task runs between the batches");
            }
            assertEquals(batches * perBatch, onLoop(loop, endpoint::received));
        }
    }

    @Test
    void closesWithItsLoopAndOnRequest() throws Exception {
        DatagramChannel channel;
        try (EventLoop loop = new EventLoop("udp").start()) {
            DatagramChannel open = DatagramChannel.open().bind(LOOPBACK);
            DatagramEndpoint endpoint = onLoop(loop, () -> loop.register(open, 8, (d, f) -> { }));
            endpoint.close();
            await("closed on request", () -> !open.isOpen());
            channel = DatagramChannel.open().bind(LOOPBACK);
            onLoop(loop, () -> loop.register(channel, 8, (d, f) -> { }));
        }
        assertTrue(!channel.isOpen(), "the loop's close closed its datagram channel");
        try (EventLoop loop = new EventLoop("udp").start(); DatagramChannel c = DatagramChannel.open()) {
            assertThrows(IllegalArgumentException.class, () -> loop.register(c, 65_508, (d, f) -> { }));
        }
    }
}
