package p2pstream.common.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import p2pstream.common.fuzz.Draw;
import p2pstream.common.fuzz.ValidMessages;

/**
 * Random valid messages (fixed seeds) encode then decode to equal values; random damage never escapes as anything but
 * ProtocolException.
 */
class RandomRoundTripTest {
    private static final int ITERATIONS = 3000;

    private final Random random = new Random(20240601L);
    private final Draw draw = Draw.of(random);

    /** One random valid message of every record type. */
    List<Message> oneOfEach() {
        return List.of(ValidMessages.hello(draw), ValidMessages.welcome(draw), ValidMessages.error(draw),
                ValidMessages.empty(draw), ValidMessages.index(draw), ValidMessages.reject(draw),
                ValidMessages.manifestMessage(draw), ValidMessages.bitfield(draw), ValidMessages.announce(draw),
                ValidMessages.withdraw(draw), ValidMessages.list(draw), ValidMessages.streams(draw),
                ValidMessages.lookup(draw), ValidMessages.peers(draw));
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
            Peers p = ValidMessages.peers(draw);
            if (!p.found()) {
                continue;
            }
            byte[][] entries = p.peers().stream().map(Peers::encodeEntry).toArray(byte[][]::new);
            Message encoded = Peers.ofEncoded(p.contentId(), p.name(), p.size(), p.chunkSize(), entries, p.grant());
            assertEquals(MessageType.PEERS, encoded.type());
            assertEquals(HexFormat.of().formatHex(Codec.payloadBytes(p)),
                    HexFormat.of().formatHex(Codec.payloadBytes(encoded)));
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
                    case 1 -> p = Arrays.copyOf(p, random.nextInt(p.length + 8));
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
