package p2pstream.common.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Shared field codecs and ids: ContentId hex, strings, ERROR message clipping. */
class WireTest {

    @Test
    void roundTripsContentIdThroughHex() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] sha = new byte[32];
            random.nextBytes(sha);
            ContentId id = ContentId.of(sha);
            String hex = id.hex();
            assertEquals(64, hex.length());
            assertEquals(hex.toLowerCase(Locale.ROOT), hex);
            assertEquals(Wire.hex(sha), hex);
            assertEquals(id, ContentId.parse(hex));
            assertArrayEquals(sha, id.bytes());
            assertEquals(hex.substring(0, 12), id.shortHex());
        }
    }

    @Test
    void parsesUppercaseHexToTheSameId() {
        String hex = "00ff10ab".repeat(8);
        assertEquals(ContentId.parse(hex), ContentId.parse(hex.toUpperCase(Locale.ROOT)));
        assertEquals(new ContentId(0x00ff10ab00ff10abL, 0x00ff10ab00ff10abL, 0x00ff10ab00ff10abL, 0x00ff10ab00ff10abL),
                ContentId.parse(hex));
    }

    static Stream<String> notContentIds() {
        String z63 = "0".repeat(63);
        return Stream.of("", "0", z63, z63 + "00", "g" + z63, z63 + "z", " " + z63, "-" + z63, "0x" + z63.substring(1),
                "\uff10" + z63,  // fullwidth digit zero: a Unicode digit, not hex
                "\u0660" + z63,  // Arabic-Indic digit zero
                "\uff41" + z63); // fullwidth small a
    }

    @ParameterizedTest
    @MethodSource("notContentIds")
    void rejectsStringsThatAreNotSixtyFourHexDigits(String bad) {
        assertNull(ContentId.parse(bad), bad);
    }

    @Test
    void rejectsContentIdOfWrongLength() {
        assertThrows(IllegalArgumentException.class, () -> ContentId.of(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> ContentId.of(new byte[33]));
    }

    @Test
    void countsStringBytesLikeTheEncoder() {
        for (String s : new String[] {"", "a", "é", "名", "🎬", "a\uD800b", "\uDC00", "mixé名🎬"}) {
            ByteBuffer out = ByteBuffer.allocate(64);
            Wire.putString(out, s);
            assertEquals(Wire.stringBytes(s), out.position(), s);
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, out.getShort(0));
        }
    }

    @Test
    void readsStringsAtTheirLimitAndRejectsOneByteMore() throws ProtocolException {
        ByteBuffer in = ByteBuffer.allocate(100);
        Wire.putString(in, "abcd");
        in.flip();
        assertEquals("abcd", Wire.getString(in.duplicate(), "s", 4));
        ProtocolException e = assertThrows(ProtocolException.class, () -> Wire.getString(in.duplicate(), "s", 3));
        assertEquals(ErrorCode.MALFORMED, e.code());
    }

    @Test
    void cleansAndClipsErrorMessages() throws ProtocolException {
        assertEquals("", new ErrorMessage(1, null).message());
        assertEquals("a?b?c?", new ErrorMessage(1, "a\nb\u0000c\u007f").message());
        assertEquals("lone ?", new ErrorMessage(1, "lone \uD800").message());
        ErrorMessage longOne = new ErrorMessage(1, "名".repeat(2000));
        assertTrue(longOne.message().getBytes(StandardCharsets.UTF_8).length <= Wire.MAX_ERROR_MESSAGE_BYTES);
        assertTrue(longOne.message().length() > 200, "clipping should keep most of what fits");
        assertEquals(longOne, Codec.roundTrip(longOne));
    }

    @Test
    void keepsSupplementaryCharactersInErrorMessagesSoTheyDecodeAsSent() throws ProtocolException {
        ErrorMessage sent = new ErrorMessage(1, "no such stream \uD83C\uDFAC.mp4");
        assertEquals("no such stream \uD83C\uDFAC.mp4", sent.message());
        byte[] payload = Codec.payloadBytes(sent);
        ErrorMessage received = ErrorMessage.decode(ByteBuffer.wrap(payload));
        assertEquals(sent, received);
        assertArrayEquals(payload, Codec.payloadBytes(received), "re-encodes to the bytes received");
        ErrorMessage clipped = new ErrorMessage(1, "\uD83C\uDFAC".repeat(400));
        assertTrue(clipped.message().getBytes(StandardCharsets.UTF_8).length <= Wire.MAX_ERROR_MESSAGE_BYTES);
        assertEquals(clipped.message().length() / 2, clipped.message().codePointCount(0, clipped.message().length()),
                "clipping never splits a character: " + clipped.message().length() + " chars");
    }

    @Test
    void rejectsIpv4MappedIpv6AddressesWhichWouldReencodeAsIpv4() {
        byte[] mapped = ByteBuffer.allocate(1 + 16 + 2).put((byte) 16).put(new byte[10]).put((byte) 0xff)
                .put((byte) 0xff).put(new byte[] {127, 0, 0, 1}).putShort((short) 80).array();
        ProtocolException e =
                assertThrows(ProtocolException.class, () -> Wire.getAddress(ByteBuffer.wrap(mapped), "a"));
        assertEquals(ErrorCode.MALFORMED, e.code());
        assertTrue(e.getMessage().contains("IPv4-mapped"), e.getMessage());
        byte[] compatible = mapped.clone();
        compatible[10] = 0;
        compatible[11] = 0; // ::127.0.0.1 (IPv4-compatible) stays IPv6 in Java: one encoding, accepted
        assertDoesNotThrow(() -> Wire.getAddress(ByteBuffer.wrap(compatible), "a"));
    }

    @Test
    void namesErrorCodes() {
        assertEquals("FRAME_TOO_LARGE", new ErrorMessage(2, "").codeName());
        assertEquals("999", new ErrorMessage(999, "").codeName());
        assertEquals(ErrorCode.TOO_MANY_CONNECTIONS, ErrorCode.of(8));
        assertNull(ErrorCode.of(0));
        assertNull(ErrorCode.of(-1));
        assertNull(ErrorCode.of(1000));
        ProtocolException e = new ProtocolException(ErrorCode.RATE_LIMITED, "slow down");
        assertEquals(new ErrorMessage(7, "slow down"), ErrorMessage.of(e));
    }
}
