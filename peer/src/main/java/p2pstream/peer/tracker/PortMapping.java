package p2pstream.peer.tracker;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.wire.ProtocolException;

/**
 * Asks the home router to forward a public TCP port to this host's listening port with NAT-PMP (RFC 6886; routers
 * that speak PCP answer it too), renews the mapping at half its lifetime, and deletes it on close. Blocking UDP to
 * the default gateway only, on a daemon thread of its own (the RFC's retry schedule: 250 ms, doubled, 2 s in all),
 * never on a loop. Linux only (the gateway is read from /proc/net/route); elsewhere, or with no router answering,
 * nothing happens. {@link #start} and {@link #close} from any thread.
 *
 * <pre>request:  &lt;version=0:u8&gt;&lt;opcode=2 TCP:u8&gt;&lt;reserved:u16&gt;&lt;internal port:u16&gt;
 *           &lt;suggested external port:u16&gt;&lt;lifetime s:u32&gt;
 * answer:   &lt;version=0:u8&gt;&lt;opcode=130:u8&gt;&lt;result:u16, 0 success&gt;&lt;epoch s:u32&gt;
 *           &lt;internal port:u16&gt;&lt;external port:u16&gt;&lt;lifetime s:u32&gt;</pre>
 */
public final class PortMapping implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PortMapping.class);
    static final int NAT_PMP_PORT = 5351;
    static final int LIFETIME_SECONDS = 3_600;
    static final int REQUEST_BYTES = 12;
    static final int ANSWER_BYTES = 16;
    private static final int FIRST_WAIT_MILLIS = 250;
    private static final int TRIES = 3; // 250 + 500 + 1000 ms
    /** RFC 6886's result codes, by number. */
    private static final String[] RESULTS = {"success", "unsupported version", "not authorized or refused",
        "network failure (the router has no public address)", "out of resources", "unsupported opcode"};

    private final InetAddress gateway;
    private final int internalPort;
    private final IntConsumer onMapped;
    private final Thread thread;
    private volatile boolean closed;
    private volatile int externalPort;

    private PortMapping(InetAddress gateway, int internalPort, IntConsumer onMapped) {
        this.gateway = gateway;
        this.internalPort = internalPort;
        this.onMapped = onMapped;
        this.thread = new Thread(this::run, "port-mapping");
        thread.setDaemon(true);
    }

    /**
     * Starts asking for {@code internalPort}; {@code onMapped} hears the external port each time the router grants
     * one (on the mapping's thread). Null when this host has no default gateway to ask.
     */
    public static PortMapping start(int internalPort, IntConsumer onMapped) {
        InetAddress gateway = defaultGateway(Path.of("/proc/net/route"));
        if (gateway == null) {
            log.debug("port mapping: no IPv4 default gateway to ask");
            return null;
        }
        PortMapping m = new PortMapping(gateway, internalPort, onMapped);
        m.thread.start();
        return m;
    }

    private void run() {
        while (!closed) {
            int lifetime = ask(LIFETIME_SECONDS);
            if (lifetime <= 0) {
                return; // no router answered, or it refused: nothing to renew
            }
            try {
                Thread.sleep(Math.max(60, lifetime / 2) * 1000L);
            } catch (InterruptedException e) {
                return; // closing
            }
        }
    }

    /** One request (lifetime 0 deletes); returns the lifetime granted, 0 when none. */
    private int ask(int lifetimeSeconds) {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(new InetSocketAddress(gateway, NAT_PMP_PORT)); // answers from anywhere else are dropped
            byte[] request = ByteBuffer.allocate(REQUEST_BYTES).put((byte) 0).put((byte) 2).putShort((short) 0)
                    .putShort((short) internalPort).putShort((short) (externalPort != 0 ? externalPort : internalPort))
                    .putInt(lifetimeSeconds).array();
            byte[] answer = new byte[64];
            for (int i = 0, wait = FIRST_WAIT_MILLIS; i < TRIES; i++, wait *= 2) {
                socket.send(new DatagramPacket(request, request.length));
                socket.setSoTimeout(wait);
                DatagramPacket p = new DatagramPacket(answer, answer.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                Grant g = decode(ByteBuffer.wrap(answer, 0, p.getLength()), internalPort);
                if (lifetimeSeconds > 0) {
                    externalPort = g.externalPort();
                    log.info("port mapping: the router at {} forwards TCP port {} to {} for {} s",
                            gateway.getHostAddress(), g.externalPort(), internalPort, g.lifetimeSeconds());
                    onMapped.accept(g.externalPort());
                }
                return g.lifetimeSeconds();
            }
            log.debug("port mapping: no answer from {}", gateway.getHostAddress());
        } catch (IOException e) {
            log.debug("port mapping: {}: {}", gateway.getHostAddress(), e.toString()); // no NAT-PMP there
        } catch (ProtocolException e) {
            log.info("port mapping: the router at {} refused: {}", gateway.getHostAddress(), e.getMessage());
        }
        return 0;
    }

    /** What a router granted. */
    record Grant(int externalPort, int lifetimeSeconds) {
    }

    /** The router's answer to a TCP mapping request for {@code internalPort}, checked field by field. */
    static Grant decode(ByteBuffer in, int internalPort) throws ProtocolException {
        if (in.remaining() < ANSWER_BYTES) {
            throw ProtocolException.malformed("answer: " + in.remaining() + " bytes (expected: " + ANSWER_BYTES + ")");
        }
        int version = in.get() & 0xff;
        int opcode = in.get() & 0xff;
        int result = in.getShort() & 0xffff;
        in.getInt(); // seconds since the router's mapping table began: no use here
        int internal = in.getShort() & 0xffff;
        int external = in.getShort() & 0xffff;
        long lifetime = in.getInt() & 0xffffffffL;
        if (version != 0 || opcode != 130) {
            throw ProtocolException.malformed("version/opcode: " + version + "/" + opcode + " (expected: 0/130)");
        }
        if (result != 0) {
            throw ProtocolException.malformed("result: " + result + " " + (result < RESULTS.length ? RESULTS[result]
                    : "(unknown)") + " (expected: 0, success)");
        }
        if (internal != internalPort || external == 0 || lifetime == 0) {
            throw ProtocolException.malformed("mapping: " + external + " -> " + internal + " for " + lifetime
                    + " s (expected: a port to " + internalPort + ")");
        }
        return new Grant(external, (int) Math.min(lifetime, LIFETIME_SECONDS));
    }

    /** The IPv4 default route's gateway in a /proc/net/route table, or null. */
    static InetAddress defaultGateway(Path routes) {
        try {
            List<String> lines = Files.readAllLines(routes);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 2 && f[1].equals("00000000") && !f[2].equals("00000000")) {
                    int hex = (int) Long.parseLong(f[2], 16); // little-endian, as the kernel prints it
                    return InetAddress.getByAddress(new byte[] {(byte) hex, (byte) (hex >> 8), (byte) (hex >> 16),
                        (byte) (hex >> 24)});
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("port mapping: {}: {}", routes, e.toString());
        }
        return null;
    }

    /** Stops renewing and asks the router to drop the mapping (best effort). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        if (externalPort != 0) {
            ask(0);
        }
    }
}
