package p2pstream.peer.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.wire.ProtocolException;

/**
 * The NAT-PMP answer is network input from the router: a good one is read, every truncated, altered or foreign one
 * is refused as a ProtocolException and nothing else, whatever the bytes; the default gateway is read from the
 * kernel's route table.
 */
class PortMappingTest {
    private static final int PORT = 2050;

    private static byte[] answer(int version, int opcode, int result, int internal, int external, long lifetime) {
        return ByteBuffer.allocate(PortMapping.ANSWER_BYTES).put((byte) version).put((byte) opcode)
                .putShort((short) result).putInt(12345).putShort((short) internal).putShort((short) external)
                .putInt((int) lifetime).array();
    }

    @Test
    void aGrantIsReadAndItsLifetimeBoundedToWhatWasAsked() throws ProtocolException {
        PortMapping.Grant g = PortMapping.decode(ByteBuffer.wrap(answer(0, 130, 0, PORT, 40_000, 7200)), PORT);
        assertEquals(40_000, g.externalPort());
        assertEquals(PortMapping.LIFETIME_SECONDS, g.lifetimeSeconds());
    }

    @Test
    void everyTruncationAndEveryWrongFieldIsRefused() {
        byte[] good = answer(0, 130, 0, PORT, PORT, 3600);
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            assertThrows(ProtocolException.class, () -> PortMapping.decode(ByteBuffer.wrap(cut), PORT), "cut at " + n);
        }
        for (byte[] bad : new byte[][] {answer(1, 130, 0, PORT, PORT, 3600), answer(0, 129, 0, PORT, PORT, 3600),
            answer(0, 130, 2, PORT, PORT, 3600), answer(0, 130, 0, PORT + 1, PORT, 3600),
            answer(0, 130, 0, PORT, 0, 3600), answer(0, 130, 0, PORT, PORT, 0)}) {
            assertThrows(ProtocolException.class, () -> PortMapping.decode(ByteBuffer.wrap(bad), PORT));
        }
    }

    @Test
    void randomBytesAreRefusedOrReadNeverAnythingElse() {
        Random random = new Random(16);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(40)];
            random.nextBytes(b);
            if (b.length > 4 && random.nextBoolean()) {
                b[0] = 0;
                b[1] = (byte) 130;
            }
            try {
                PortMapping.decode(ByteBuffer.wrap(b), PORT);
            } catch (ProtocolException e) {
                // refused: the only other outcome allowed
            }
        }
    }

    @Test
    void theDefaultGatewayIsReadFromTheRouteTable(@TempDir Path dir) throws Exception {
        Path routes = dir.resolve("route");
        Files.writeString(routes, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n"
                + "eth0\t00014D0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\n"
                + "eth0\t00000000\t02014D0A\t0003\t0\t0\t0\t00000000\n");
        assertEquals(InetAddress.getByName("10.77.1.2"), PortMapping.defaultGateway(routes));
        Files.writeString(routes, "Iface\tDestination\tGateway\n");
        assertNull(PortMapping.defaultGateway(routes), "no default route: nobody to ask");
        assertNull(PortMapping.defaultGateway(dir.resolve("missing")));
    }
}
