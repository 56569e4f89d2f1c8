package p2pstream.tracker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time a process has used, per thread group, read from Linux's /proc/PID/task/TID/stat (user + system
 * clock ticks, 100 a second): what tells a benchmark which thread was the bottleneck. Empty where /proc is
 * missing. Thread-safe (stateless).
 */
final class ThreadCpu {
    private static final double TICKS_PER_SECOND = 100.0;

    private ThreadCpu() {
    }

    /** Seconds of CPU by group: event loops keep their thread name, GC and JIT threads are summed. */
    static Map<String, Double> snapshot(long pid) {
        Map<String, Double> seconds = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(open + 1, close);
                    // fields after the name: state is field 3, utime 14 and stime 15
                    String[] f = stat.substring(close + 2).split(" ");
                    double s = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
                    seconds.merge(group(name), s, Double::sum);
                    seconds.merge("total", s, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            });
        } catch (IOException e) {
            return Map.of();
        }
        return seconds;
    }

    /** CPU cores used between two snapshots, by group, over {@code seconds} of wall clock. */
    static String describe(Map<String, Double> before, Map<String, Double> after, double seconds) {
        if (after.isEmpty()) {
            return "n/a";
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%.2f cores",
                (after.getOrDefault("total", 0.0) - before.getOrDefault("total", 0.0)) / seconds));
        String sep = " (";
        for (Map.Entry<String, Double> e : after.entrySet()) {
            double used = (e.getValue() - before.getOrDefault(e.getKey(), 0.0)) / seconds;
            if (!e.getKey().equals("total") && used >= 0.01) {
                b.append(sep).append(String.format(Locale.ROOT, "%s %.2f", e.getKey(), used));
                sep = ", ";
            }
        }
        return sep.equals(", ") ? b.append(')').toString() : b.toString();
    }

    private static String group(String thread) {
        if (thread.startsWith("GC ") || thread.startsWith("G1 ") || thread.startsWith("VM Thread")) {
            return "gc";
        }
        if (thread.startsWith("C1 ") || thread.startsWith("C2 ")) {
            return "jit";
        }
        if (thread.matches("(tracker|load)-\\d+")) {
            return thread;
        }
        return "other";
    }
}
