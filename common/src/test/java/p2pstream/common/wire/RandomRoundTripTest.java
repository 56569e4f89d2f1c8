package p2pstream.common.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random valid messages (fixed seeds) encode then decode to equal values; random damage never escapes as anything but ProtocolException. */
class RandomRoundTripTest {
    private static final int ITERATIONS = 3000;
    /** Printable code points from several UTF-8 lengths, including supplementary characters. */
    private static final int[][] RANGES = {{0x20, 0x7e}, {0xa0, 0x24f}, {0x4e00, 0x4fff}, {0x1f300, 0x1f5ff}};

    private final Random random = new Random(20240601L);

    String text(int maxUtf8Bytes, boolean allowEmpty) {
        int target = random.nextInt(random.nextInt(10) == 0 ? maxUtf8Bytes + 1 : Math.min(40, maxUtf8Bytes + 1));
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        while (bytes < target) {
            int[] range = RANGES[random.nextInt(RANGES.length)];
            int cp = range[0] + random.nextInt(range[1] - range[0] + 1);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > maxUtf8Bytes) {
                break;
            }
            sb.appendCodePoint(cp);
            bytes += n;
        }
        return sb.isEmpty() && !allowEmpty ? "n" : sb.toString();
    }

    /** A valid stream name: printable, relative, no empty, "." or ".." segment (see Wire.nameProblem). */
    String name(int maxUtf8Bytes) {
        while (true) {
            String s = text(maxUtf8Bytes, false);
            if (Wire.nameProblem(s) == null) {
                return s;
            }
        }
    }

    ContentId contentId() {
        return new ContentId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
    }

    PeerId peerId() {
        return new PeerId(random.nextLong(), random.nextLong());
    }

    InetSocketAddress address() {
        byte[] ip = new byte[random.nextBoolean() ? 4 : 16];
        random.nextBytes(ip);
        if (ip.length == 16) {
            ip[0] = 0x20; // never an IPv4-mapped address, which Java turns into an Inet4Address
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), random.nextInt(65536));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    int nonNegative() {
        return random.nextBoolean() ? random.nextInt(1000) : random.nextInt(Integer.MAX_VALUE);
    }

    Announce announce() {
        int chunkSize = Wire.MIN_CHUNK_BYTES + random.nextInt(Wire.MAX_CHUNK_BYTES - Wire.MIN_CHUNK_BYTES + 1);
        if (random.nextInt(5) == 0) {
            return new Announce(contentId(), name(Wire.MAX_NAME_BYTES), -1, chunkSize, 0, 0);
        }
        long size = (long) (random.nextDouble() * chunkSize * (random.nextBoolean() ? 100 : Wire.MAX_CHUNK_COUNT));
        int count = (int) ((size + chunkSize - 1) / chunkSize);
        return new Announce(contentId(), name(Wire.MAX_NAME_BYTES), size, chunkSize, count,
                random.nextInt(count + 1));
    }

    Bitfield bitfield() {
        int count = random.nextInt(random.nextBoolean() ? 40 : 5000);
        BitSet set = new BitSet(count);
        double density = random.nextDouble();
        for (int i = 0; i < count; i++) {
            if (random.nextDouble() < density) {
                set.set(i);
            }
        }
        return new Bitfield(set, count);
    }

    Streams streams() {
        List<Streams.Entry> list = new ArrayList<>();
        for (int i = random.nextInt(20); i > 0; i--) {
            list.add(new Streams.Entry(contentId(), name(200), random.nextLong(), nonNegative(), nonNegative(),
                    nonNegative()));
        }
        return new Streams(list);
    }

    Peers peers() {
        if (random.nextInt(5) == 0) {
            return Peers.NOT_FOUND;
        }
        List<Peers.Entry> list = new ArrayList<>();
        for (int i = random.nextInt(Wire.MAX_PEERS_PER_LOOKUP + 1); i > 0; i--) {
            list.add(new Peers.Entry(address(), peerId(), random.nextBoolean()));
        }
        return new Peers(contentId(), name(Wire.MAX_NAME_BYTES), random.nextLong(), nonNegative(), list);
    }

    byte[] bytes(int max) {
        byte[] b = new byte[1 + random.nextInt(max)];
        random.nextBytes(b);
        return b;
    }

    /** One random valid message of every record type. */
    List<Message> oneOfEach() {
        Role role = Role.values()[random.nextInt(Role.values().length)];
        return List.of(
                new Hello(role, peerId(), random.nextInt(65536), random.nextBoolean() ? contentId() : null),
                new Welcome(random.nextLong(), address()),
                new ErrorMessage(random.nextInt(65536), text(Wire.MAX_ERROR_MESSAGE_BYTES, true)),
                List.of(EmptyMessage.PING, EmptyMessage.PONG, EmptyMessage.HAVE_ALL).get(random.nextInt(3)),
                new IndexMessage(List.of(MessageType.HAVE, MessageType.REQUEST, MessageType.CANCEL).get(random.nextInt(3)),
                        nonNegative()),
                new Reject(nonNegative(), Reject.Reason.values()[random.nextInt(Reject.Reason.values().length)]),
                new ManifestMessage(bytes(5000)),
                bitfield(),
                announce(),
                new Withdraw(contentId()),
                new ListStreams(text(Wire.MAX_NAME_BYTES, true), random.nextInt(65536)),
                streams(),
                random.nextBoolean() ? Lookup.byName(name(Wire.MAX_NAME_BYTES), random.nextInt(65536))
                        : Lookup.byContentId(contentId(), random.nextInt(65536)),
                peers());
    }

    @Test
    void decodesRandomValidMessagesToEqualValues() throws ProtocolException {
        int checked = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            for (Message m : oneOfEach()) {
                Message decoded = Codec.roundTrip(m);
                Codec.assertSameMessage(m, decoded);
                if (m instanceof Bitfield b) {
                    assertEquals(b.chunks(), ((Bitfield) decoded).chunks());
                }
                checked++;
            }
        }
        assertEquals(ITERATIONS * 14, checked);
    }

    @Test
    void encodesAsManyBytesAsPayloadLengthSays() {
        for (int i = 0; i < ITERATIONS; i++) {
            for (Message m : oneOfEach()) {
                ByteBuffer out = ByteBuffer.allocate(m.payloadLength() + 16);
                m.encodePayload(out);
                assertEquals(m.payloadLength(), out.position(), m.type()::toString);
            }
        }
    }

    @Test
    void peersFromEncodedEntriesAreTheSameBytesAsPeersFromEntries() throws ProtocolException {
        int found = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            Peers p = peers();
            if (!p.found()) {
                continue;
            }
            byte[][] entries = p.peers().stream().map(Peers::encodeEntry).toArray(byte[][]::new);
            Message encoded = Peers.ofEncoded(p.contentId(), p.name(), p.size(), p.chunkSize(), entries);
            assertEquals(MessageType.PEERS, encoded.type());
            assertEquals(java.util.HexFormat.of().formatHex(Codec.payloadBytes(p)),
                    java.util.HexFormat.of().formatHex(Codec.payloadBytes(encoded)));
            found++;
        }
        assertTrue(found > ITERATIONS / 2, "found answers compared: " + found);
    }

    @Test
    void survivesRandomDamageWithOnlyProtocolExceptions() throws ProtocolException {
        int rejected = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            for (Message m : oneOfEach()) {
                byte[] p = Codec.payloadBytes(m);
                switch (random.nextInt(3)) {
                    case 0 -> { // flip a few bytes
                        for (int k = random.nextInt(4); k >= 0 && p.length > 0; k--) {
                            p[random.nextInt(p.length)] ^= (byte) (1 + random.nextInt(255));
                        }
                    }
                    case 1 -> p = java.util.Arrays.copyOf(p, random.nextInt(p.length + 8));
                    default -> random.nextBytes(p);
                }
                try {
                    Codec.decode(m, p);
                } catch (ProtocolException e) {
                    rejected++;
                    assertTrue(e.code() != null && e.getMessage() != null && !e.getMessage().isEmpty());
                } catch (RuntimeException e) {
                    fail(m.type() + " threw " + e + " on " + Wire.hex(p), e);
                }
            }
        }
        assertTrue(rejected > ITERATIONS, "damage should mostly be rejected: " + rejected);
    }
}
