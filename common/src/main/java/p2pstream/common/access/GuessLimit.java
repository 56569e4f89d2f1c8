package p2pstream.common.access;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import p2pstream.common.net.Clock;

/**
 * Slows guessing of a secret (a password, an invite): after a wrong guess from a source (an IP address, a peer id,
 * an account name) its next guess is refused until a delay has passed, doubling with every wrong guess from
 * {@link #FIRST_DELAY_MILLIS} up to {@link #MAX_DELAY_MILLIS}; a right guess forgets the source. At most
 * {@link #MAX_SOURCES} sources are remembered (the oldest forgotten first), so a flood of sources costs bounded
 * memory. Time from the injected clock. One thread (the loop that checks the secret).
 */
public final class GuessLimit<K> {
    static final long FIRST_DELAY_MILLIS = 1_000;
    static final long MAX_DELAY_MILLIS = 60_000;
    static final int MAX_SOURCES = 4096;
    private static final long NANOS_PER_MILLI = 1_000_000;

    private final Clock clock;
    private final int maxSources;
    private final Map<K, Failures> failures = new LinkedHashMap<>(16, 0.75f, true);

    public GuessLimit(Clock clock) {
        this(clock, MAX_SOURCES);
    }

    GuessLimit(Clock clock, int maxSources) {
        this.clock = clock;
        this.maxSources = maxSources;
    }

    /** Milliseconds {@code source} must still wait before its next guess counts; 0 when it may guess now. */
    public long waitMillis(K source) {
        Failures f = failures.get(source);
        if (f == null) {
            return 0;
        }
        long left = f.notBeforeNanos - clock.nanoTime();
        return left <= 0 ? 0 : (left + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
    }

    /**
     * The source an address guesses as: an IPv4 address itself, an IPv6 address's /64 (one home or host is given a
     * whole /64, so keying by the full address would let one guesser draw endless fresh sources from it). Any thread.
     */
    public static InetAddress sourceOf(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] network = Arrays.copyOf(address.getAddress(), 16);
        Arrays.fill(network, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(network);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    /** A wait as a refusal tells it: whole seconds, rounded up ("2 s"). */
    public static String seconds(long millis) {
        return (millis + 999) / 1000 + " s";
    }

    /** Records a wrong guess from {@code source}: its next one waits twice as long as the last (bounded). */
    public void onWrong(K source) {
        Failures f = failures.get(source);
        if (f == null) {
            if (failures.size() >= maxSources) {
                K eldest = failures.keySet().iterator().next();
                failures.remove(eldest);
            }
            f = new Failures();
            failures.put(source, f);
        }
        f.count = Math.min(f.count + 1, 32);
        long delayMillis = Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << Math.min(f.count - 1, 16));
        f.notBeforeNanos = clock.nanoTime() + delayMillis * NANOS_PER_MILLI;
    }

    /** Records a right guess: {@code source} starts again with no delay. */
    public void onRight(K source) {
        failures.remove(source);
    }

    /** How many sources are remembered now. */
    public int size() {
        return failures.size();
    }

    private static final class Failures {
        int count;
        long notBeforeNanos;
    }
}
