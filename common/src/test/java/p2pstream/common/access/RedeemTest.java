package p2pstream.common.access;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ProtocolException;

class RedeemTest {
    private static byte[] payload(Redeem r) {
        ByteBuffer b = ByteBuffer.allocate(r.payloadLength());
        r.encodePayload(b);
        return b.array();
    }

    private static void assertMalformed(byte[] payload) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Redeem.decode(ByteBuffer.wrap(payload)));
        assertEquals(ErrorCode.MALFORMED.code(), e.code().code(), e.getMessage());
    }

    @Test
    void anInviteAndAPasswordRoundTrip() throws ProtocolException {
        Redeem invite = new Redeem(Redeem.Kind.INVITE, new byte[20]);
        byte[] bytes = payload(invite);
        assertEquals(1, bytes[0]);
        assertEquals(0, bytes[1]);
        assertEquals(20, bytes[2]);
        assertEquals(invite, Redeem.decode(ByteBuffer.wrap(bytes)));
        Redeem password = new Redeem(Redeem.Kind.PASSWORD, "hunter-2-ä".getBytes(StandardCharsets.UTF_8));
        Redeem back = Redeem.decode(ByteBuffer.wrap(payload(password)));
        assertEquals(Redeem.Kind.PASSWORD, back.kind());
        assertArrayEquals(password.secret(), back.secret());
        assertFalse(password.toString().contains("hunter"), "the secret stays out of logs");
    }

    @Test
    void everyTruncationAndEveryBadKindOrLengthIsMalformed() {
        byte[] good = payload(new Redeem(Redeem.Kind.INVITE, new byte[20]));
        for (int cut = 0; cut < good.length; cut++) {
            byte[] shorter = new byte[cut];
            System.arraycopy(good, 0, shorter, 0, cut);
            assertMalformed(shorter);
        }
        assertMalformed(ByteBuffer.allocate(good.length + 1).put(good).array());
        for (int kind : new int[] {0, 3, 255}) {
            byte[] bad = good.clone();
            bad[0] = (byte) kind;
            assertMalformed(bad);
        }
        assertMalformed(ByteBuffer.allocate(3 + 15).put((byte) 1).putShort((short) 15).array()); // invite < 16
        assertMalformed(ByteBuffer.allocate(3 + 65).put((byte) 1).putShort((short) 65).array()); // invite > 64
        assertMalformed(ByteBuffer.allocate(3).put((byte) 2).putShort((short) 0).array()); // empty password
        assertMalformed(ByteBuffer.allocate(3 + 4097).put((byte) 2).putShort((short) 4097).array());
        assertThrows(IllegalArgumentException.class, () -> new Redeem(Redeem.Kind.INVITE, new byte[8]));
    }
}
