package p2pstream.common.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ProtocolException;

class HandshakeTest {
    private static final Identity ALICE = Identity.generate();
    private static final Identity BOB = Identity.generate();
    private static final StaticKey ALICE_KEY = StaticKey.of(ALICE);
    private static final StaticKey BOB_KEY = StaticKey.of(BOB);

    @Test
    void bothSidesLearnTheOthersIdAndShareKeys() throws Exception {
        Handshake alice = Handshake.initiator(ALICE_KEY, BOB.peerId());
        Handshake bob = Handshake.responder(BOB_KEY);
        int[] sizes = new int[3];
        Handshakes.run(alice, bob, (index, bytes) -> {
            sizes[index] = bytes.remaining();
            return bytes;
        });
        assertArrayEquals(new int[] {2 + 32, 2 + 194, 2 + 162}, sizes, "the sizes PROTOCOL.md states");
        assertEquals(BOB.peerId(), alice.remotePeerId());
        assertEquals(ALICE.peerId(), bob.remotePeerId());
        assertArrayEquals(alice.handshakeHash(), bob.handshakeHash());
        assertEquals("to bob", roundTrip(alice.encoder(), bob.decoder(), "to bob"));
        assertEquals("to alice", roundTrip(bob.encoder(), alice.decoder(), "to alice"));
    }

    @Test
    void aPeerWithAnotherIdThanTheOneNamedIsRefused() throws Exception {
        Identity mallory = Identity.generate();
        Handshake alice = Handshake.initiator(ALICE_KEY, BOB.peerId());
        Handshake notBob = Handshake.responder(StaticKey.of(mallory));
        ProtocolException e = assertThrows(ProtocolException.class, () -> Handshakes.run(alice, notBob));
        assertEquals(ErrorCode.AUTHENTICATION, e.code());
        assertEquals("peer id: " + mallory.peerId().text() + " (expected: " + BOB.peerId().text()
                + ", the id this peer was named by)", e.getMessage());
        assertFalse(alice.isDone());
        assertNull(alice.remotePeerId(), "an id refused is not the connection's");
        // a connection that ends so says why in its close reason (SecureTransport: "CODE: message")
        String reason = "read failed: " + e.code() + ": " + e.getMessage();
        assertEquals(mallory.peerId().text(), Handshake.provedInstead(reason));
        assertNull(Handshake.provedInstead("peer error " + e.code() + ": " + e.getMessage()), "anybody's word");
        assertNull(Handshake.provedInstead("read failed: connection reset"));
        assertNull(Handshake.provedInstead(null));
    }

    @Test
    void anAlteredByteAnywhereInTheHandshakeFailsIt() {
        for (int message = 0; message < 3; message++) {
            int size = new int[] {32, 194, 162}[message];
            for (int at = 0; at < 2 + size; at++) {
                int where = at;
                Handshake alice = Handshake.initiator(ALICE_KEY, BOB.peerId());
                Handshake bob = Handshake.responder(BOB_KEY);
                Handshakes.Path flip = Handshakes.Path.onMessage(message, bytes -> {
                    bytes.put(where, (byte) (bytes.get(where) ^ 0x20));
                    return bytes;
                });
                ProtocolException e = assertThrows(ProtocolException.class, () -> Handshakes.run(alice, bob, flip),
                        "message " + message + " byte " + at);
                assertTrue(e.getMessage() != null && e.code() != null);
                assertFalse(alice.isDone() && bob.isDone(), "message " + message + " byte " + at);
            }
        }
    }

    @Test
    void aStaticKeySignedForAnotherKeyIsRefused() throws Exception {
        // Mallory relays Bob's identity payload with her own static key: the signature does not cover it
        byte[] bobsPayload = BOB_KEY.payload();
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> StaticKey.verify(bobsPayload, X25519.generate().publicKey()));
        assertEquals(ErrorCode.AUTHENTICATION, e.code());
        assertTrue(e.getMessage().startsWith("identity payload: the signature"), e.getMessage());
        assertEquals(BOB.peerId(), StaticKey.verify(bobsPayload, BOB_KEY.key().publicKey()).peerId());
        bobsPayload[0] = 2;
        assertThrows(ProtocolException.class, () -> StaticKey.verify(bobsPayload, BOB_KEY.key().publicKey()),
                "another version");
    }

    @Test
    void plaintextIsAgreedOnlyWhenBothSidesAllowIt() throws Exception {
        StaticKey alicePlain = StaticKey.of(ALICE, true);
        StaticKey bobPlain = StaticKey.of(BOB, true);
        boolean[][] cases = {{true, true, true}, {true, false, false}, {false, true, false}, {false, false, false}};
        for (boolean[] c : cases) {
            Handshake alice = Handshake.initiator(c[0] ? alicePlain : ALICE_KEY, BOB.peerId());
            Handshake bob = Handshake.responder(c[1] ? bobPlain : BOB_KEY);
            Handshakes.run(alice, bob);
            assertEquals(c[2], alice.plaintextAgreed(), "alice " + c[0] + ", bob " + c[1]);
            assertEquals(c[2], bob.plaintextAgreed(), "alice " + c[0] + ", bob " + c[1]);
        }
    }

    @Test
    void aPathThatSetsThePlaintextFlagBreaksTheHandshake() {
        // the flag travels inside the encrypted payload of message 2: flipping a ciphertext bit fails its tag
        for (int at = 2 + 32 + 48; at < 2 + 32 + 48 + 2; at++) {
            int where = at;
            Handshake alice = Handshake.initiator(StaticKey.of(ALICE, true), BOB.peerId());
            Handshake bob = Handshake.responder(BOB_KEY);
            Handshakes.Path flip = Handshakes.Path.onMessage(1, b -> b.put(where, (byte) (b.get(where) ^ 1)));
            ProtocolException e = assertThrows(ProtocolException.class, () -> Handshakes.run(alice, bob, flip));
            assertEquals(ErrorCode.AUTHENTICATION, e.code());
        }
    }

    @Test
    void unknownIdentityFlagsAreRefused() {
        byte[] payload = StaticKey.of(BOB, true).payload();
        assertEquals(1, payload[1]);
        payload[1] = 3;
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> StaticKey.verify(payload, BOB_KEY.key().publicKey()));
        assertEquals("identity payload flags: 0x3 (expected: 0x00 or 0x01)", e.getMessage());
    }

    @Test
    void aLowOrderEphemeralKeyIsRefused() {
        Handshake bob = Handshake.responder(BOB_KEY);
        ByteBuffer message = ByteBuffer.allocate(34).putShort((short) 32);
        message.flip().limit(34);
        assertThrows(ProtocolException.class, () -> {
            assertTrue(bob.readNext(message));
            bob.writeNext(ByteBuffer.allocate(2 + Records.MAX_HANDSHAKE_BYTES));
        });
    }

    @Test
    void boundsAreCheckedBeforeTheBytesArrive() throws Exception {
        Handshake bob = Handshake.responder(BOB_KEY);
        ByteBuffer partial = ByteBuffer.allocate(40).putShort((short) 32).put(new byte[10]).flip();
        assertFalse(bob.readNext(partial), "not all there yet");
        assertEquals(0, partial.position());
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> bob.readNext(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff})));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
        assertEquals("handshake message length: 65535 (expected: 1..1024)", e.getMessage());
    }

    @Test
    void aPayloadInTheClearFirstMessageIsRefused() throws Exception {
        HandshakeState plain = new HandshakeState("XX", HandshakeState.XX, NoiseCipher.AESGCM, true,
                Handshake.PROLOGUE.getBytes(StandardCharsets.US_ASCII), X25519.generate(), null);
        byte[] first = plain.writeMessage("hello".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer wire = ByteBuffer.allocate(2 + first.length).putShort((short) first.length).put(first).flip();
        assertThrows(ProtocolException.class, () -> Handshake.responder(BOB_KEY).readNext(wire));
    }

    static String roundTrip(RecordEncoder encoder, RecordDecoder decoder, String text) throws ProtocolException {
        ByteBuffer wire = ByteBuffer.allocate(Records.MAX_WIRE_BYTES);
        encoder.encode(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), wire);
        ByteBuffer out = ByteBuffer.allocate(Records.MAX_PLAINTEXT_BYTES);
        decoder.decode(wire.flip(), out);
        return new String(out.array(), 0, out.position(), StandardCharsets.UTF_8);
    }
}
