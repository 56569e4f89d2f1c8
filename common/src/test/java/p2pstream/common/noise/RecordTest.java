package p2pstream.common.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ProtocolException;

class RecordTest {
    private static final byte[] KEY = new byte[32];

    static {
        Arrays.fill(KEY, (byte) 3);
    }

    private static CipherState keyed() {
        CipherState c = new CipherState(NoiseCipher.AESGCM);
        c.initializeKey(KEY);
        return c;
    }

    /** Each record of {@code plain}, sealed alone. */
    private static List<byte[]> seal(RecordEncoder encoder, byte[] plain) {
        List<byte[]> records = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(plain);
        while (in.hasRemaining()) {
            ByteBuffer out = ByteBuffer.allocate(Records.MAX_WIRE_BYTES);
            encoder.encode(in, out);
            records.add(Arrays.copyOf(out.array(), out.position()));
        }
        return records;
    }

    private static byte[] join(List<byte[]> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        records.forEach(out::writeBytes);
        return out.toByteArray();
    }

    @Test
    void theFrameStreamComesThroughWhateverTheSocketsPieces() throws Exception {
        Random random = new Random(11);
        byte[] plain = new byte[200_000];
        random.nextBytes(plain);
        List<byte[]> records = seal(new RecordEncoder(keyed()), plain);
        assertEquals((plain.length + Records.MAX_PLAINTEXT_BYTES - 1) / Records.MAX_PLAINTEXT_BYTES, records.size());
        assertTrue(records.stream().allMatch(r -> r.length <= Records.MAX_WIRE_BYTES));
        byte[] wire = join(records);
        assertEquals(plain.length + records.size() * (Records.LENGTH_BYTES + Records.TAG_BYTES), wire.length);

        RecordDecoder decoder = new RecordDecoder(keyed());
        ByteBuffer socket = ByteBuffer.allocate(Records.MAX_WIRE_BYTES * 2);
        ByteBuffer frames = ByteBuffer.allocate(plain.length);
        int at = 0;
        while (at < wire.length) {
            int piece = Math.min(wire.length - at, 1 + random.nextInt(3_000));
            socket.put(wire, at, piece);
            at += piece;
            socket.flip();
            decoder.decode(socket, frames);
            socket.compact();
        }
        assertEquals(0, socket.position());
        assertArrayEquals(plain, frames.array());
        assertEquals(records.size(), decoder.records());
    }

    @Test
    void aRecordWaitsWholeUntilThereIsRoomForIt() throws Exception {
        byte[] wire = join(seal(new RecordEncoder(keyed()), new byte[100]));
        RecordDecoder decoder = new RecordDecoder(keyed());
        ByteBuffer in = ByteBuffer.wrap(wire);
        assertEquals(0, decoder.decode(in, ByteBuffer.allocate(99)));
        assertEquals(0, in.position());
        assertEquals(100, decoder.decode(in, ByteBuffer.allocate(100)));
        assertTrue(!in.hasRemaining());
    }

    @Test
    void alteringReplayingReorderingOrDroppingARecordFailsItAndEverythingAfter() {
        byte[] plain = "MARKER-".repeat(5_000).getBytes(StandardCharsets.US_ASCII);
        List<byte[]> records = seal(new RecordEncoder(keyed()), plain);
        byte[] altered = records.get(1).clone();
        altered[40] ^= 1;
        List<List<byte[]>> attacks = List.of(
                List.of(records.get(0), altered),
                List.of(records.get(0), records.get(0)),
                List.of(records.get(1), records.get(0)),
                List.of(records.get(0), records.get(2)));
        for (List<byte[]> attack : attacks) {
            RecordDecoder decoder = new RecordDecoder(keyed());
            ByteBuffer in = ByteBuffer.wrap(join(attack));
            ByteBuffer out = ByteBuffer.allocate(100_000);
            ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.decode(in, out));
            assertEquals(ErrorCode.AUTHENTICATION, e.code());
            assertTrue(e.getMessage().startsWith("record "), e.getMessage());
            int good = attack.get(0) == records.get(0) ? Records.MAX_PLAINTEXT_BYTES : 0;
            assertEquals(good, out.position(), "only the records before the bad one were handed on");
            for (int i = good; i < out.capacity(); i++) {
                assertEquals(0, out.get(i), "nothing of the bad record is left in the output");
            }
            assertSame(e, assertThrows(ProtocolException.class, () -> decoder.decode(ByteBuffer.wrap(
                    records.get(1)), out)), "a failed decoder stays failed");
        }
    }

    @Test
    void lengthsOutOfBoundsAreRefusedFromTheirTwoBytes() {
        ProtocolException big = assertThrows(ProtocolException.class, () -> new RecordDecoder(keyed())
                .decode(ByteBuffer.wrap(new byte[] {(byte) 0x40, 0x11}), ByteBuffer.allocate(1 << 20)));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, big.code());
        assertEquals("record 0 length: 16401 (expected: 16..16400)", big.getMessage());
        ProtocolException small = assertThrows(ProtocolException.class, () -> new RecordDecoder(keyed())
                .decode(ByteBuffer.wrap(new byte[] {0, 15}), ByteBuffer.allocate(100)));
        assertEquals(ErrorCode.MALFORMED, small.code());
    }

    @Test
    void aRecordCutShortByTheEndOfTheStreamIsAnError() throws Exception {
        byte[] wire = join(seal(new RecordEncoder(keyed()), new byte[50]));
        RecordDecoder decoder = new RecordDecoder(keyed());
        ByteBuffer in = ByteBuffer.wrap(wire, 0, wire.length - 1);
        assertEquals(0, decoder.decode(in, ByteBuffer.allocate(100)));
        ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.onEndOfStream(in));
        assertEquals("record 0: cut short after 67 bytes (expected: a whole record before the end of the stream)",
                e.getMessage());
        assertSame(e, assertThrows(ProtocolException.class, () -> decoder.onEndOfStream(ByteBuffer.allocate(0))),
                "a failed decoder still says why");
    }

    @Test
    void bothEndsRekeyInStep() throws Exception {
        byte[] plain = new byte[10 * Records.MAX_PLAINTEXT_BYTES];
        new Random(5).nextBytes(plain);
        byte[] wire = join(seal(new RecordEncoder(keyed(), 3), plain));
        ByteBuffer out = ByteBuffer.allocate(plain.length);
        new RecordDecoder(keyed(), 3).decode(ByteBuffer.wrap(wire), out);
        assertArrayEquals(plain, out.array());
        assertThrows(ProtocolException.class, () -> new RecordDecoder(keyed())
                .decode(ByteBuffer.wrap(wire), ByteBuffer.allocate(plain.length)), "a decoder that did not rekey");
    }

    @Test
    void anEncoderStopsBeforeItsNoncesRepeat() {
        CipherState cipher = keyed();
        cipher.setNonce(CipherState.MAX_NONCE);
        assertThrows(IllegalStateException.class, () -> new RecordEncoder(cipher)
                .encode(ByteBuffer.wrap(new byte[1]), ByteBuffer.allocate(100)));
    }

    @Test
    void anEncoderTakesOnlyWhatFitsAndNothingWithoutRoom() {
        RecordEncoder encoder = new RecordEncoder(keyed());
        ByteBuffer in = ByteBuffer.wrap(new byte[100]);
        assertEquals(0, encoder.encode(in, ByteBuffer.allocate(18)));
        assertEquals(2, encoder.encode(in, ByteBuffer.allocate(20)));
        assertEquals(0, encoder.encode(ByteBuffer.allocate(0), ByteBuffer.allocate(100)));
        assertEquals(1, encoder.records());
    }
}
