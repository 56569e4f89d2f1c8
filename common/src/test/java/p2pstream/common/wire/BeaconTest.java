package p2pstream.common.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The LAN beacon's two datagrams: exact layout, round trips, every truncation and each invalid field. */
class BeaconTest {
    private static final PeerId ID = new PeerId(0x0102030405060708L, 0x090a0b0c0d0e0f10L);

    @Test
    void aQueryIsSixtyFourBytesOfHeadNonceAndZeros() throws Exception {
        byte[] bytes = bytes(new Beacon.Query(0x1122334455667788L).encode());
        assertEquals(Beacon.QUERY_BYTES, bytes.length);
        assertEquals("50325042" + "01" + "01" + "1122334455667788", Wire.hex(Arrays.copyOf(bytes, 14)));
        for (int i = 14; i < bytes.length; i++) {
            assertEquals(0, bytes[i]);
        }
        assertEquals(0x1122334455667788L, Beacon.decodeQuery(ByteBuffer.wrap(bytes)).nonce());
    }

    @Test
    void answersRoundTripInEachFamilyAndAreNeverLargerThanAQuery() throws Exception {
        for (InetAddress a : List.of(InetAddress.getByName("10.77.1.2"), InetAddress.getByName("fd00::7"))) {
            Beacon.Answer answer = new Beacon.Answer(-5, ID, a, 2045);
            byte[] bytes = bytes(answer.encode());
            assertEquals(33 + a.getAddress().length, bytes.length);
            assertTrue(bytes.length <= Beacon.QUERY_BYTES);
            assertEquals(answer, Beacon.decodeAnswer(ByteBuffer.wrap(bytes)));
        }
        Beacon.Answer everywhere = new Beacon.Answer(7, ID, null, 40_000);
        byte[] bytes = bytes(everywhere.encode());
        assertEquals("50325042" + "01" + "02" + "0000000000000007" + "0102030405060708090a0b0c0d0e0f10" + "9c40"
                + "00", Wire.hex(bytes));
        Beacon.Answer decoded = Beacon.decodeAnswer(ByteBuffer.wrap(bytes));
        assertNull(decoded.address());
        assertEquals(new InetSocketAddress("10.0.0.9", 40_000),
                decoded.tracker(new InetSocketAddress("10.0.0.9", 2045)), "family 0: the sender's address");
        assertEquals(Beacon.MAX_ANSWER_BYTES, 49);
    }

    @Test
    void randomRoundTrips() throws Exception {
        Random random = new Random(16);
        for (int i = 0; i < 500; i++) {
            long nonce = random.nextLong();
            assertEquals(nonce, Beacon.decodeQuery(new Beacon.Query(nonce).encode()).nonce());
            byte[] ip = new byte[random.nextBoolean() ? 4 : 16];
            random.nextBytes(ip);
            ip[0] = (byte) (ip.length == 4 ? 10 : 0xfd); // unicast: not multicast, not the wildcard
            Beacon.Answer a = new Beacon.Answer(nonce, new PeerId(random.nextLong(), random.nextLong()),
                    InetAddress.getByAddress(ip), 1 + random.nextInt(65_535));
            assertEquals(a, Beacon.decodeAnswer(a.encode()));
        }
    }

    @Test
    void everyTruncationAndEveryExtraByteIsRefused() {
        byte[] query = bytes(new Beacon.Query(1).encode());
        byte[] answer = bytes(new Beacon.Answer(1, ID, null, 1).encode());
        for (int n = 0; n < query.length; n++) {
            byte[] cut = Arrays.copyOf(query, n);
            assertThrows(ProtocolException.class, () -> Beacon.decodeQuery(ByteBuffer.wrap(cut)), "query of " + n);
        }
        for (int n = 0; n < answer.length; n++) {
            byte[] cut = Arrays.copyOf(answer, n);
            assertThrows(ProtocolException.class, () -> Beacon.decodeAnswer(ByteBuffer.wrap(cut)), "answer of " + n);
        }
        assertRefusedQuery(Arrays.copyOf(query, query.length + 1), "beacon query: 65 bytes (expected: 64)");
        assertRefusedAnswer(Arrays.copyOf(answer, answer.length + 1), "beacon answer: 1 bytes after it");
        assertRefusedAnswer(new byte[50], "beacon answer: 50 bytes (expected: at most 49)");
    }

    @Test
    void eachInvalidFieldIsRefused() {
        byte[] query = bytes(new Beacon.Query(1).encode());
        assertRefusedQuery(patch(query, 0, 0x50, 0x32, 0x50, 0x53), "beacon: magic 0x50325053, version 1, kind 1"
                + " (expected: 0x50325042, 1, 1)");
        assertRefusedQuery(patch(query, 4, 2), "beacon: magic 0x50325042, version 2, kind 1"
                + " (expected: 0x50325042, 1, 1)");
        assertRefusedQuery(patch(query, 5, 2), "beacon: magic 0x50325042, version 1, kind 2"
                + " (expected: 0x50325042, 1, 1)");
        assertRefusedQuery(patch(query, 63, 1), "beacon query: a padding byte not zero at 63 (expected: zero)");

        byte[] answer = bytes(new Beacon.Answer(1, ID, null, 2045).encode());
        assertRefusedAnswer(patch(answer, 5, 1), "beacon: magic 0x50325042, version 1, kind 1"
                + " (expected: 0x50325042, 1, 2)");
        assertRefusedAnswer(patch(answer, 30, 0, 0), "beacon answer: port 0, family 0 (expected: port 1..65535,"
                + " family 0, 4 or 16)");
        assertRefusedAnswer(patch(answer, 32, 5), "beacon answer: port 2045, family 5 (expected: port 1..65535,"
                + " family 0, 4 or 16)");
        byte[] v4 = bytes(new Beacon.Answer(1, ID, address("10.0.0.1"), 2045).encode());
        assertRefusedAnswer(patch(v4, 33, 0, 0, 0, 0), "beacon answer address: 0.0.0.0 (expected: a unicast"
                + " address in its own family)");
        assertRefusedAnswer(patch(v4, 33, 239, 255, 20, 45), "beacon answer address: 239.255.20.45 (expected: a"
                + " unicast address in its own family)");
        byte[] v6 = bytes(new Beacon.Answer(1, ID, address("fd00::1"), 2045).encode());
        byte[] mapped = patch(v6, 33, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1);
        assertRefusedAnswer(mapped, "beacon answer address: 10.0.0.1 (expected: a unicast address in its own"
                + " family)");
    }

    private static void assertRefusedQuery(byte[] bytes, String message) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Beacon.decodeQuery(ByteBuffer.wrap(bytes)));
        assertEquals(message, e.getMessage());
        assertEquals(ErrorCode.MALFORMED, e.code());
    }

    private static void assertRefusedAnswer(byte[] bytes, String message) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Beacon.decodeAnswer(ByteBuffer.wrap(bytes)));
        assertEquals(message, e.getMessage());
    }

    private static byte[] patch(byte[] bytes, int offset, int... values) {
        byte[] p = bytes.clone();
        for (int i = 0; i < values.length; i++) {
            p[offset + i] = (byte) values[i];
        }
        return p;
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
