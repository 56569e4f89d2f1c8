package p2pstream.common.net;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/**
 * The process's open-file limit ({@code ulimit -n}) and the connection limits that fit under it: a default
 * above the limit makes the acceptor run out of descriptors instead of refusing politely. Any thread.
 */
public final class Descriptors {
    /** Kept back for the JVM's own files, the selectors, logs and the files a server opens. */
    static final long RESERVED = 64;

    private Descriptors() {
    }

    /** The open-file limit, or Long.MAX_VALUE where the platform does not say. */
    public static long limit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            long max = unix.getMaxFileDescriptorCount();
            return max > 0 ? max : Long.MAX_VALUE;
        }
        return Long.MAX_VALUE;
    }

    /**
     * {@code wanted}, or what fits under a limit of {@code limit} descriptors where that is smaller: the share
     * of the limit left after the reserve, of which {@code sharePercent} goes to connections (at least 8).
     */
    public static int connectionsWithin(int wanted, long limit, int sharePercent) {
        long fit = Math.max(8, (limit - RESERVED) * sharePercent / 100);
        return (int) Math.min(wanted, fit);
    }

    /** {@link #connectionsWithin} under this process's limit. */
    public static int connectionsWithin(int wanted, int sharePercent) {
        return connectionsWithin(wanted, limit(), sharePercent);
    }
}
