package p2pstream.common.fuzz;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * The property every decoder is fuzzed for, run once per fuzzer input: pick a target, make a valid value, encode it,
 * then either keep it (it must decode and re-encode to the same bytes), replace it with raw bytes, or damage it with
 * {@link Mutator}; decode it from the middle of a larger buffer, and check that decoding
 * <ul>
 *   <li>fails only with {@link ProtocolException} (with a code and a message), never anything else;</li>
 *   <li>allocates at most {@link #ALLOCATION_SLACK_BYTES} (and the target's {@link FuzzTarget#fixedBytes}) plus a
 *       fixed number of bytes per input byte, so a declared
 *       length or count can never make it allocate in proportion to anything but the bytes actually there;</li>
 *   <li>when it succeeds, re-encodes to exactly the input: one encoding per value, nothing ignored;</li>
 *   <li>holds the target's own {@link FuzzTarget#property}, if it has one (checked outside the allocation count).</li>
 * </ul>
 * Keeps a tally per target for the run's report. Fuzz thread only.
 */
public final class DecodeCheck {
    /**
     * What any decode may allocate whatever its input: a charset decoder, small fixed lists. Below the 64 KiB a
     * bogus uint16 length would cost if a decoder trusted it.
     */
    static final long ALLOCATION_SLACK_BYTES = 32 * 1024;
    /**
     * Objects, strings and copies made from each byte taken, without instrumentation: a full STREAMS list (a name
     * decoder, a string and a split per entry) costs about 8 bytes per byte.
     */
    public static final int PLAIN_BYTES_PER_INPUT_BYTE = 16;
    /** The same under Jazzer, whose hooks on String and charset methods allocate too: about 70 per byte seen. */
    public static final int INSTRUMENTED_BYTES_PER_INPUT_BYTE = 160;

    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Executions of one target, and how they ended. */
    static final class Tally {
        long runs;
        long decoded;
        long refused;
        long maxAllocatedBytes;
    }

    private final List<FuzzTarget<?>> targets;
    private final int allocationBytesPerInputByte;
    private final Map<String, Tally> tallies = new LinkedHashMap<>();

    /**
     * @param allocationBytesPerInputByte {@link #PLAIN_BYTES_PER_INPUT_BYTE} or
     *                                    {@link #INSTRUMENTED_BYTES_PER_INPUT_BYTE}
     */
    public DecodeCheck(List<FuzzTarget<?>> targets, int allocationBytesPerInputByte) {
        this.targets = List.copyOf(targets);
        this.allocationBytesPerInputByte = allocationBytesPerInputByte;
        for (FuzzTarget<?> t : targets) {
            tallies.put(t.name(), new Tally());
        }
        if (THREADS.isThreadAllocatedMemorySupported() && !THREADS.isThreadAllocatedMemoryEnabled()) {
            THREADS.setThreadAllocatedMemoryEnabled(true);
        }
    }

    /**
     * {@code runsPerTarget} executions per target on a seeded random draw, uninstrumented, so with the tight
     * {@link #PLAIN_BYTES_PER_INPUT_BYTE} allocation bound; fails unless every target ran about that often.
     */
    public static DecodeCheck runSeeded(List<FuzzTarget<?>> targets, long seed, int runsPerTarget) {
        DecodeCheck check = new DecodeCheck(targets, PLAIN_BYTES_PER_INPUT_BYTE);
        Draw draw = Draw.of(new Random(seed));
        for (int i = 0; i < runsPerTarget * targets.size(); i++) {
            check.run(draw);
        }
        for (FuzzTarget<?> t : targets) {
            if (check.runs(t.name()) < runsPerTarget / 2) {
                throw new AssertionError(t.name() + " ran " + check.runs(t.name()) + " times (expected: about "
                        + runsPerTarget + ")");
            }
        }
        return check;
    }

    /** One execution: the target and everything else come from {@code draw}. */
    public void run(Draw draw) {
        run(targets.get(draw.below(targets.size())), draw);
    }

    <T> void run(FuzzTarget<T> target, Draw draw) {
        T base = target.valid().next(draw);
        byte[] valid = target.encode().encode(base);
        if (valid.length > target.maxInputBytes()) {
            throw new AssertionError(target.name() + ": generator made " + valid.length + " bytes (expected: <= "
                    + target.maxInputBytes() + ")");
        }
        int mode = draw.below(8); // an exhausted fuzzer input answers 0: the common case, a mutation
        byte[] input;
        if (mode == 7) {
            input = valid;
        } else if (mode == 6) {
            input = draw instanceof FuzzedDraw f ? f.rest(target.maxInputBytes())
                    : draw.bytes(draw.between(0, Math.min(target.maxInputBytes(), 4096)));
        } else {
            byte[] donor = target.encode().encode(target.valid().next(draw.fork()));
            input = Mutator.mutate(valid, donor, target.maxInputBytes(), draw);
        }
        check(target, base, input, mode == 7, draw);
    }

    private <T> void check(FuzzTarget<T> target, T base, byte[] input, boolean mustDecode, Draw draw) {
        Tally tally = tallies.get(target.name());
        tally.runs++;
        int before = draw.below(16);
        int after = draw.below(16);
        Outcome<T> outcome = decode(target, base, input, before, after);
        long bound = ALLOCATION_SLACK_BYTES + target.fixedBytes() + (long) allocationBytesPerInputByte * input.length;
        if (outcome.allocated() > bound) {
            outcome = decode(target, base, input, before, after); // once more, warm: class loading is not the decoder's
            if (outcome.allocated() > bound) {
                throw new AssertionError(target.name() + ": decoding " + input.length + " bytes allocated "
                        + outcome.allocated() + " bytes (expected: <= " + bound + "): " + describe(input));
            }
        }
        tally.maxAllocatedBytes = Math.max(tally.maxAllocatedBytes, outcome.allocated());
        if (target.property() != null) {
            try {
                target.property().check(base, place(input, before, after));
            } catch (RuntimeException x) {
                throw new AssertionError(target.name() + ": property check threw " + x + ": " + describe(input), x);
            } catch (AssertionError x) {
                throw new AssertionError(target.name() + ": " + x.getMessage() + ": " + describe(input), x);
            }
        }
        ProtocolException e = outcome.refused();
        if (e != null) {
            if (e.code() == null || e.getMessage() == null || e.getMessage().isEmpty()) {
                throw new AssertionError(target.name() + ": refused without a code or message: " + describe(input), e);
            }
            if (mustDecode) {
                throw new AssertionError(target.name() + ": refused its own valid encoding: " + e.code() + " "
                        + e.getMessage() + ": " + describe(input), e);
            }
            tally.refused++;
            return;
        }
        tally.decoded++;
        byte[] again = target.encode().encode(outcome.value());
        if (!Arrays.equals(input, again)) {
            throw new AssertionError(target.name() + ": decoded " + outcome.value() + " re-encodes differently"
                    + " (expected: the same bytes)\n input: " + describe(input) + "\n again: " + describe(again));
        }
    }

    /** A decode's value or refusal, and the bytes this thread allocated for it. */
    private record Outcome<T>(T value, ProtocolException refused, long allocated) {
    }

    /** Decodes {@code input} placed in a larger buffer; anything but a value or a ProtocolException fails the run. */
    private static <T> Outcome<T> decode(FuzzTarget<T> target, T base, byte[] input, int before, int after) {
        ByteBuffer in = place(input, before, after);
        long start = THREADS.getCurrentThreadAllocatedBytes();
        T value = null;
        ProtocolException refused = null;
        try {
            value = target.decode().decode(base, in);
        } catch (ProtocolException e) {
            refused = e;
        } catch (AssertionError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new AssertionError(target.name() + ": decoding threw " + e
                    + " (expected: ProtocolException or a value): " + describe(input), e);
        }
        return new Outcome<>(value, refused, THREADS.getCurrentThreadAllocatedBytes() - start);
    }

    /**
     * {@code input} between {@code before} and {@code after} bytes of 0xee, as a buffer whose position and limit
     * frame it: decoders get views of a connection's read buffer, never a buffer of their own.
     */
    static ByteBuffer place(byte[] input, int before, int after) {
        byte[] all = new byte[before + input.length + after];
        Arrays.fill(all, (byte) 0xee);
        System.arraycopy(input, 0, all, before, input.length);
        return ByteBuffer.wrap(all, before, input.length);
    }

    static String describe(byte[] bytes) {
        return bytes.length + " bytes " + (bytes.length <= 512 ? Wire.hex(bytes)
                : Wire.hex(Arrays.copyOf(bytes, 512)) + "...");
    }

    /** One line per target: executions, how many decoded and were refused, the most bytes one decode allocated. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        long total = 0;
        for (Map.Entry<String, Tally> e : tallies.entrySet()) {
            Tally t = e.getValue();
            total += t.runs;
            sb.append(String.format("  %-18s %9d runs %9d decoded %9d refused  max %7d bytes allocated%n",
                    e.getKey(), t.runs, t.decoded, t.refused, t.maxAllocatedBytes));
        }
        return "fuzz: " + total + " runs over " + tallies.size() + " decoders\n" + sb;
    }

    /** Runs of every target so far. */
    public long runs() {
        return tallies.values().stream().mapToLong(t -> t.runs).sum();
    }

    /** Runs of {@code name} so far. */
    public long runs(String name) {
        return tallies.get(name).runs;
    }
}
