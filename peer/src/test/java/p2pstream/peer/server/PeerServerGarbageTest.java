package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.WireBytes.cut;
import static p2pstream.common.net.WireBytes.encoded;
import static p2pstream.common.net.WireBytes.frame;
import static p2pstream.common.net.WireBytes.garbage;
import static p2pstream.peer.server.PeerSteps.checkChunk;
import static p2pstream.peer.server.PeerSteps.fetchAll;
import static p2pstream.peer.server.PeerSteps.peerHello;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.PingProbe;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.MessageType;

/**
 * Seeded random bytes and mutated copies of valid peer frames against a real peer-server: it closes with at
 * most an ERROR of an input code, or accepts the frame and answers correctly; never a silent close, and a good
 * client keeps getting chunks.
 */
class PeerServerGarbageTest extends PeerServerFixture {

    @Test
    @Timeout(60)
    void randomBytesGetTheConnectionClosedWithAtMostAnError() throws Exception {
        try (RawClient good = connect()) {
            peerHello(good, manifest);
            for (int seed = 1; seed <= 24; seed++) {
                try (RawClient c = connect()) {
                    if (seed % 2 == 0) {
                        peerHello(c, manifest);
                    }
                    c.sendGarbageUntilClosed(garbage(seed)).assertAtMostOneErrorOf(INPUT_ERRORS, "seed " + seed);
                }
                if (seed % 6 == 0) {
                    fetchAll(good, manifest, file);
                }
            }
            fetchAll(good, manifest, file);
            await("only the good client stays connected", () -> server.connectionCount() == 1);
        }
    }

    /**
     * Mutated copies of valid peer frames after a good HELLO, each followed by a PING probe: the server either
     * accepts the frame (answers it with a correct CHUNK or REJECT, then PONG) or sends ERROR with an input
     * error code and closes; it never closes silently, and a good client keeps getting chunks.
     */
    @Test
    @Timeout(120)
    void mutatedFramesAfterHelloGetAnAnswerOrAnErrorNeverASilentClose() throws Exception {
        Random random = new Random(4242);
        int n = manifest.chunkCount();
        byte[] bits = new byte[(n + 7) / 8];
        bits[0] = (byte) 0x80;
        List<byte[]> bases = List.of(encoded(IndexMessage.request(0)), encoded(IndexMessage.request(n - 1)),
                encoded(IndexMessage.cancel(1)), encoded(IndexMessage.have(2)),
                frame(MessageType.BITFIELD.code(), bits), encoded(EmptyMessage.HAVE_ALL), encoded(EmptyMessage.PONG),
                encoded(hello(manifest.contentId())));
        int accepted = 0;
        int refused = 0;
        try (RawClient good = connect()) {
            peerHello(good, manifest);
            for (int i = 0; i < 300; i++) {
                byte[] base = bases.get(random.nextInt(bases.size()));
                int type = base[4] & 0xff;
                byte[] body = Arrays.copyOfRange(base, Frames.HEADER_BYTES, base.length);
                switch (random.nextInt(4)) {
                    case 0 -> body = cut(body, random.nextInt(body.length + 1));
                    case 1 -> body = Arrays.copyOf(body, body.length + 1 + random.nextInt(6));
                    case 2 -> type = random.nextInt(256);
                    default -> {
                        for (int k = 1 + random.nextInt(3); k > 0 && body.length > 0; k--) {
                            int[] specials = {0x00, 0xff, 0x7f, 0x80, 0x01, random.nextInt(256)};
                            body[random.nextInt(body.length)] = (byte) specials[random.nextInt(specials.length)];
                        }
                    }
                }
                if (type == MessageType.PING.code()) {
                    type = MessageType.PONG.code();
                }
                String what = "mutation " + i + ": type 0x" + Integer.toHexString(type) + " payload "
                        + Arrays.toString(body);
                try (RawClient c = connect()) {
                    peerHello(c, manifest);
                    boolean taken = PingProbe.takes(c, frame(type, body), INPUT_ERRORS, what, r -> {
                        if (r.type() == MessageType.CHUNK.code()) {
                            checkChunk(r, manifest, file);
                        } else {
                            assertEquals(MessageType.REJECT.code(), r.type(), what + ": " + r.describe());
                        }
                    });
                    if (taken) {
                        accepted++;
                    } else {
                        refused++;
                    }
                }
                if (i % 25 == 0) {
                    fetchAll(good, manifest, file);
                }
            }
            fetchAll(good, manifest, file);
            await("only the good client stays connected", () -> server.connectionCount() == 1);
        }
        assertTrue(refused > 50, "most mutations are refused: " + refused);
        assertTrue(accepted > 0, "some mutations stay valid: " + accepted);
    }
}
