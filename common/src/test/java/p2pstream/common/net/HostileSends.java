package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;

/**
 * How hostile peers send, for tests: bytes dribbled one at a time from a background thread (a slow HELLO),
 * and the answers to a flood counted until the server's ERROR. Called by test threads.
 */
public final class HostileSends {
    private HostileSends() {
    }

    /** Where hostile bytes go: a frame client's socket, an HTTP client's. */
    @FunctionalInterface
    public interface Sender {
        void send(byte[] bytes) throws IOException;
    }

    /**
     * Sends {@code bytes} one at a time, {@code nanosPerByte} apart, on a daemon thread, until they are all
     * sent or the server closes; returns the count of bytes sent so far.
     */
    public static AtomicInteger dribble(RawClient client, byte[] bytes, long nanosPerByte) {
        return dribble(client::sendBytes, bytes, nanosPerByte);
    }

    /** The same through any {@link Sender}. */
    public static AtomicInteger dribble(Sender client, byte[] bytes, long nanosPerByte) {
        AtomicInteger sent = new AtomicInteger();
        Thread feeder = new Thread(() -> {
            try {
                for (byte b : bytes) {
                    client.send(new byte[] {b});
                    sent.incrementAndGet();
                    LockSupport.parkNanos(nanosPerByte); // the attack's pace, not a wait for a condition
                }
            } catch (IOException closed) {
                // the server closed the connection: what the tests expect
            }
        }, "dribble");
        feeder.setDaemon(true);
        feeder.start();
        return sent;
    }

    /**
     * Sends {@code batch} again and again on a daemon thread until the server closes the connection (or the
     * test does); returns the count of bytes sent so far.
     */
    public static AtomicLong flood(RawClient client, byte[] batch) {
        return flood(client::sendBytes, batch);
    }

    /** The same through any {@link Sender}. */
    public static AtomicLong flood(Sender client, byte[] batch) {
        AtomicLong sent = new AtomicLong();
        Thread flooder = new Thread(() -> {
            try {
                while (true) {
                    client.send(batch);
                    sent.addAndGet(batch.length);
                }
            } catch (IOException closed) {
                // the server closed the connection: what the tests expect
            }
        }, "flood");
        flooder.setDaemon(true);
        flooder.start();
        return sent;
    }

    /**
     * Reads answers of type {@code answer} until a frame of another type, which must be an ERROR with
     * {@code code}; returns how many answers came first.
     */
    public static int answersBeforeError(RawClient client, MessageType answer, ErrorCode code)
            throws IOException, ProtocolException {
        int answers = 0;
        RawClient.Frame f;
        while ((f = client.read()).type() == answer.code()) {
            answers++;
        }
        assertEquals(MessageType.ERROR.code(), f.type(), f.describe());
        assertEquals(code.code(), ErrorMessage.decode(f.buffer()).code(), f.describe());
        return answers;
    }
}
