package p2pstream.common.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our Noise state machines against the published test vectors of two other implementations (cacophony's and
 * snow's, in noise-xx-vectors.json with their source): with the vectors' static and ephemeral keys, every handshake
 * message and every transport message must come out byte for byte, and read back to its payload.
 */
class NoiseVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    record Vector(String name, JsonNode json) {
        @Override
        public String toString() {
            return json.get("file").asText() + " " + name;
        }
    }

    static Stream<Vector> vectors() throws IOException {
        try (InputStream in = NoiseVectorsTest.class.getResourceAsStream("noise-xx-vectors.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<Vector> out = new ArrayList<>();
            root.get("vectors").forEach(v -> out.add(new Vector(v.get("protocol_name").asText(), v)));
            assertEquals(4, out.size(), "AESGCM and ChaChaPoly from each of the two files");
            return out.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void everyHandshakeAndTransportMessageMatchesByteForByte(Vector vector) throws Exception {
        JsonNode v = vector.json();
        NoiseCipher cipher = vector.name().contains("AESGCM") ? NoiseCipher.AESGCM : NoiseCipher.CHACHAPOLY;
        assertEquals("Noise_XX_25519_" + cipher.noiseName() + "_SHA256", vector.name());
        HandshakeState initiator = new HandshakeState("XX", HandshakeState.XX, cipher, true, bytes(v, "init_prologue"),
                X25519.fromPrivate(bytes(v, "init_static")), X25519.fromPrivate(bytes(v, "init_ephemeral")));
        HandshakeState responder = new HandshakeState("XX", HandshakeState.XX, cipher, false,
                bytes(v, "resp_prologue"), X25519.fromPrivate(bytes(v, "resp_static")),
                X25519.fromPrivate(bytes(v, "resp_ephemeral")));
        JsonNode messages = v.get("messages");
        CipherState[] initiatorStates = null;
        CipherState[] responderStates = null;
        for (int i = 0; i < messages.size(); i++) {
            byte[] payload = HEX.parseHex(messages.get(i).get("payload").asText());
            byte[] expected = HEX.parseHex(messages.get(i).get("ciphertext").asText());
            boolean fromInitiator = i % 2 == 0;
            if (i < HandshakeState.XX.length) {
                HandshakeState sender = fromInitiator ? initiator : responder;
                HandshakeState receiver = fromInitiator ? responder : initiator;
                assertTrue(sender.isMyTurn());
                assertFalse(receiver.isMyTurn());
                assertEquals(HEX.formatHex(expected), HEX.formatHex(sender.writeMessage(payload)),
                        "handshake message " + i);
                assertArrayEquals(payload, receiver.readMessage(expected), "handshake payload " + i);
                continue;
            }
            if (initiatorStates == null) {
                assertTrue(initiator.isDone() && responder.isDone());
                assertArrayEquals(initiator.handshakeHash(), responder.handshakeHash());
                if (v.has("handshake_hash")) {
                    assertEquals(v.get("handshake_hash").asText(), HEX.formatHex(initiator.handshakeHash()));
                }
                assertArrayEquals(X25519.fromPrivate(bytes(v, "resp_static")).publicKey(),
                        initiator.remoteStaticKey());
                assertArrayEquals(X25519.fromPrivate(bytes(v, "init_static")).publicKey(),
                        responder.remoteStaticKey());
                initiatorStates = initiator.split();
                responderStates = responder.split();
            }
            CipherState sending = fromInitiator ? initiatorStates[0] : responderStates[0];
            CipherState receiving = fromInitiator ? responderStates[1] : initiatorStates[1];
            ByteBuffer sealed = ByteBuffer.allocate(payload.length + NoiseCipher.TAG_BYTES);
            sending.encryptWithAd(new byte[0], ByteBuffer.wrap(payload), sealed);
            assertEquals(HEX.formatHex(expected), HEX.formatHex(sealed.array()), "transport message " + i);
            ByteBuffer opened = ByteBuffer.allocateDirect(payload.length);
            receiving.decryptWithAd(new byte[0], sealed.flip(), opened);
            byte[] got = new byte[payload.length];
            opened.flip().get(got);
            assertArrayEquals(payload, got, "transport payload " + i);
        }
        assertTrue(initiatorStates != null, "the vector has transport messages");
    }

    private static byte[] bytes(JsonNode v, String field) {
        return HEX.parseHex(v.get(field).asText());
    }
}
