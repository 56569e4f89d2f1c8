package p2pstream.common.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * Fuzzing of a live server session over loopback: a byte stream made of valid frames for that kind of connection,
 * some of them (or the whole stream) damaged by {@link Mutator}, is sent in one write and the sending side closed;
 * the server must answer with normal frames only, then at most one ERROR with an input error code, then EOF, never
 * a hang past {@link RawClient#READ_TIMEOUT_MILLIS} nor a reset. Keeps a tally of the endings. Test thread only.
 */
public final class ConnectionFuzz {
    /** Largest stream sent: one write that arrives whole, so the server never closes on unread bytes (a reset). */
    static final int MAX_STREAM_BYTES = 16 * 1024;

    /** Valid frames (length prefix, type and payload) to build one stream from. */
    @FunctionalInterface
    public interface Script {
        List<byte[]> frames(Draw draw);
    }

    /** Checks a normal answer: its type is one the server may send here, and its content is right. */
    @FunctionalInterface
    public interface AnswerCheck {
        void check(RawClient.Frame answer) throws ProtocolException;
    }

    private final Script script;
    private final Set<ErrorCode> inputErrors;
    private final AnswerCheck answers;
    private final long seed;
    private final Draw draw;
    private final Map<String, Integer> endings = new TreeMap<>();
    private int tries;
    private int answerFrames;

    public ConnectionFuzz(Script script, Set<ErrorCode> inputErrors, AnswerCheck answers) {
        this.script = script;
        this.inputErrors = inputErrors;
        this.answers = answers;
        this.seed = seed();
        this.draw = Draw.of(new Random(seed));
    }

    /** Tries per connection fuzz test: {@code -Dfuzz.connection.tries} (`make fuzz` raises it). */
    public static int tries() {
        return Integer.getInteger("fuzz.connection.tries", 300);
    }

    /** {@code -Dfuzz.seed}: a number, or "random" for a new one each run (printed); a fixed one by default. */
    public static long seed() {
        String s = System.getProperty("fuzz.seed", "20261124");
        return s.equals("random") ? new Random().nextLong() : Long.parseLong(s);
    }

    /** The next stream: the script's frames, each damaged one time in three, or the whole stream damaged. */
    public byte[] nextStream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<byte[]> frames = script.frames(draw);
        byte[] donor = frames.isEmpty() ? new byte[0] : frames.get(draw.below(frames.size()));
        for (byte[] f : frames) {
            byte[] frame = draw.oneIn(3) ? Mutator.mutate(f, donor, MAX_STREAM_BYTES / 2, draw) : f;
            out.write(frame, 0, Math.min(frame.length, MAX_STREAM_BYTES - out.size()));
        }
        byte[] stream = out.toByteArray();
        return draw.oneIn(6) ? Mutator.mutate(stream, donor, MAX_STREAM_BYTES, draw) : stream;
    }

    /**
     * Sends {@code stream} on {@code c}, closes the sending side and reads until the server closes: normal answers,
     * then at most one ERROR (the last frame) with an input error code, then EOF. Returns the ERROR's code, or null.
     */
    public ErrorCode exchange(RawClient c, byte[] stream) throws IOException, ProtocolException {
        tries++;
        String what = "try " + tries + " (seed " + seed + "): " + stream.length + " bytes " + Wire.hex(stream);
        c.sendBytes(stream);
        c.shutdownOutput();
        RawClient.Ending ending = c.readUntilClosed(false);
        assertFalse(ending.reset(), what + ": reset");
        List<RawClient.Frame> frames = ending.frames();
        ErrorCode code = null;
        for (int i = 0; i < frames.size(); i++) {
            RawClient.Frame f = frames.get(i);
            if (f.type() == MessageType.ERROR.code()) {
                assertEquals(frames.size() - 1, i, what + ": frames after the ERROR");
                ErrorMessage e = ErrorMessage.decode(f.buffer());
                code = ErrorCode.of(e.code());
                assertTrue(inputErrors.contains(code), what + ": ERROR " + e.codeName() + " " + e.message());
            } else {
                try {
                    answers.check(f);
                } catch (AssertionError | ProtocolException e) {
                    throw new AssertionError(what + ": answer " + f.describe() + ": " + e.getMessage(), e);
                }
                answerFrames++;
            }
        }
        endings.merge(code == null ? "EOF" : "ERROR " + code, 1, Integer::sum);
        return code;
    }

    /** Tries, answers and how the connections ended, for the run's report. */
    public String summary() {
        return tries + " tries (seed " + seed + "), " + answerFrames + " answer frames, endings " + endings;
    }
}
