package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.WireBytes.cut;
import static p2pstream.common.net.WireBytes.frame;
import static p2pstream.common.net.WireBytes.garbage;
import static p2pstream.common.net.WireBytes.payload;
import static p2pstream.common.net.WireBytes.plus;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.PingProbe;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Withdraw;

/**
 * Seeded random bytes and mutated copies of valid frames against a real tracker: it closes with at most an
 * ERROR of an input code, or accepts the frame and answers; it never closes silently and leaks nothing.
 */
class TrackerGarbageTest extends TrackerFixture {

    @Test
    @Timeout(60)
    void randomBytesGetTheConnectionClosedWithAtMostAnError() throws Exception {
        for (int seed = 1; seed <= 32; seed++) {
            sendRandom(garbage(seed), false).assertAtMostOneErrorOf(INPUT_ERRORS, "seed " + seed);
        }
        awaitNoConnectionsAndNoEntries();
    }

    @HostileCase(value = "Random bytes instead of the handshake, 32 connections (tracker)",
            expect = "each closed without a frame (nothing was authenticated); a good session stays served; nothing"
                    + " left behind", section = HostileCase.TRANSPORT)
    @Timeout(60)
    void randomBytesInsteadOfTheHandshakeCloseTheConnectionAndLeaveNothing(Trial trial) throws Exception {
        Random random = new Random(11);
        try (RawClient good = connect()) {
            good.trackerHello(LISTEN_PORT);
            for (int i = 0; i < 32; i++) {
                byte[] garbage = new byte[1 + random.nextInt(4096)];
                random.nextBytes(garbage);
                try (RawClient c = RawClient.connect(tracker.address())) { // no handshake: bytes as they are
                    RawClient.Ending ending = c.sendGarbageUntilClosed(garbage);
                    // a handshake that fails ends the connection without a frame: nothing was authenticated
                    assertEquals(List.of(), ending.frames(), "seed " + i);
                }
            }
            good.assertServed();
        }
        awaitNoConnectionsAndNoEntries();
        trial.record("connections of garbage closed without a frame", 32);
    }

    @Test
    @Timeout(60)
    void randomBytesAfterHelloGetTheConnectionClosedWithAtMostAnError() throws Exception {
        for (int seed = 100; seed < 132; seed++) {
            sendRandom(garbage(seed), true).assertAtMostOneErrorOf(INPUT_ERRORS, "seed " + seed);
        }
        awaitNoConnectionsAndNoEntries();
    }

    @Test
    @Timeout(60)
    void randomFrameWithPlausibleLengthAsFirstFrameGetsAnErrorThenClose() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 64; i++) {
            byte[] body = new byte[random.nextInt(200)];
            random.nextBytes(body);
            int type = i % 4 == 0 ? MessageType.HELLO.code() : random.nextInt(256);
            try (RawClient c = connect()) {
                c.sendFrame(type, body);
                ErrorMessage e = c.expectErrorThenEof(INPUT_ERRORS.toArray(new ErrorCode[0]));
                assertNotNull(e);
            }
        }
        awaitNoConnectionsAndNoEntries();
    }

    /**
     * Mutated copies of valid frames (bytes flipped, payload cut or extended, type changed; the length prefix
     * kept consistent), each after a good HELLO and followed by a PING probe: the tracker either accepts the
     * frame (the PONG arrives) or answers ERROR with an input error code and closes; never closes silently.
     */
    @Test
    @Timeout(120)
    void mutatedFramesAfterHelloGetAnswerOrErrorNeverSilentClose() throws Exception {
        Random random = new Random(42);
        List<Message> bases = List.of(announce(ID, "dir/movie.mp4"), new Announce(OTHER_ID, "live", -1, CHUNK, 0, 0),
                Lookup.byName("dir/movie.mp4", 50), Lookup.byContentId(ID, 50), new ListStreams("mov", 100),
                new Withdraw(ID), hello(LISTEN_PORT), EmptyMessage.PONG);
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < 400; i++) {
            Message base = bases.get(random.nextInt(bases.size()));
            byte[] body = payload(base);
            int type = base.type().code();
            switch (random.nextInt(5)) {
                case 0 -> body = cut(body, random.nextInt(body.length + 1));
                case 1 -> {
                    body = plus(body, 1 + random.nextInt(8));
                    for (int k = 0; k < body.length; k++) {
                        if (body[k] == 0 && random.nextInt(4) == 0) {
                            body[k] = (byte) random.nextInt(256);
                        }
                    }
                }
                case 2 -> type = random.nextInt(256);
                default -> {
                    for (int k = 1 + random.nextInt(3); k > 0 && body.length > 0; k--) {
                        int at = random.nextInt(body.length);
                        int[] specials = {0x00, 0xff, '/', '.', 0x01, 0x80, random.nextInt(256)};
                        body[at] = (byte) specials[random.nextInt(specials.length)];
                    }
                }
            }
            if (type == MessageType.PING.code()) {
                type = MessageType.PONG.code(); // a PING would answer PONG itself and confuse the probe
            }
            String what = "mutation " + i + ": type 0x" + Integer.toHexString(type) + " payload "
                    + Arrays.toString(body);
            try (RawClient c = connect()) {
                c.trackerHello(LISTEN_PORT);
                boolean taken = PingProbe.takes(c, frame(type, body), INPUT_ERRORS, what, f -> assertTrue(
                        f.type() == MessageType.STREAMS.code() || f.type() == MessageType.PEERS.code(),
                        what + ": unexpected answer " + f.describe()));
                if (taken) {
                    accepted++;
                } else {
                    refused++;
                }
            }
        }
        assertTrue(refused > 100, "most mutations are refused: " + refused);
        assertTrue(accepted > 0, "some mutations stay valid: " + accepted);
        awaitNoConnectionsAndNoEntries();
        assertGoodSessionsWork();
    }
}
