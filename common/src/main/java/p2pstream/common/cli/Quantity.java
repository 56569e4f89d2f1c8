package p2pstream.common.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the quantities users type: rates ({@code 25MB/s}, {@code 25MiB/s}, {@code 200Mbit/s}, plain bytes
 * per second), sizes ({@code 256KiB}, {@code 1M}, {@code 2G}) and durations ({@code 500ms}, {@code 5s},
 * {@code 2m}, {@code 1h}); and formats sizes for people ({@code 1.5 GiB}). Decimal units are powers of 1000,
 * binary ones ({@code KiB}, {@code MiB}, {@code GiB}) powers of 1024, single letters ({@code K}, {@code M},
 * {@code G}) powers of 1024 in a size. A rate with a single letter ({@code 4M}) is refused: users mean bits as
 * often as bytes. Thread-safe (stateless).
 */
public final class Quantity {
    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)(/s)?");
    private static final String RATE_FORMS = "a rate such as 4Mbit/s, 500kB/s, 25MiB/s or bytes per second";
    private static final String SIZE_FORMS = "a size such as 256KiB, 64M, 2G or bytes";
    /** Durations beyond this (a year) are typing mistakes, and their milliseconds would overflow sums. */
    private static final double MAX_DURATION_MILLIS = 365.0 * 24 * 3600 * 1000;

    private Quantity() {
    }

    /** Bytes per second from a rate such as {@code 25MB/s} or {@code 200Mbit/s}; at least 1. */
    public static long rate(String option, String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (m.matches() && m.group(2).length() == 1 && !m.group(2).equalsIgnoreCase("b")) {
            throw new IllegalArgumentException(option + ": " + text + " (expected: " + RATE_FORMS + ")");
        }
        return parse(option, text, RATE_FORMS, 1);
    }

    /** Bytes from a size such as {@code 256KiB}, {@code 64M} or {@code 1000}. */
    public static long size(String option, String text) {
        if (text.trim().endsWith("/s")) {
            throw new IllegalArgumentException(option + ": " + text + " (expected: " + SIZE_FORMS + ")");
        }
        return parse(option, text, SIZE_FORMS, 0);
    }

    /**
     * Milliseconds from a duration such as {@code 500ms}, {@code 5s}, {@code 1.5s}, {@code 2m} or {@code 1h}.
     *
     * @param bareMillis what a number without a unit counts, in milliseconds: 1 for an option that took
     *     milliseconds before units were accepted, 1000 for one that took seconds (kept so old scripts still work)
     */
    public static long durationMillis(String option, String text, long bareMillis) {
        String expected = "a duration such as 500ms, 5s or 2m, or a bare number of "
                + (bareMillis == 1 ? "milliseconds" : "seconds");
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches() || m.group(3) != null) {
            throw new IllegalArgumentException(option + ": " + text + " (expected: " + expected + ")");
        }
        double factor = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "" -> bareMillis;
            case "ms" -> 1;
            case "s" -> 1000;
            case "m", "min" -> 60_000;
            case "h" -> 3_600_000;
            default -> throw new IllegalArgumentException(option + ": " + text + " (expected: " + expected + ")");
        };
        double millis = Double.parseDouble(m.group(1)) * factor;
        if (millis > MAX_DURATION_MILLIS) {
            throw new IllegalArgumentException(option + ": " + text + " (expected: " + expected + ", at most a year)");
        }
        return Math.round(millis);
    }

    /** A byte count for people: {@code 512 B}, {@code 1.5 KiB}, {@code 20.0 MiB}, {@code 1.50 GiB}. */
    public static String bytesText(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / 1024.0 / 1024);
        }
        if (bytes < 1024L * 1024 * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / 1024.0 / 1024 / 1024);
        }
        return String.format(Locale.ROOT, "%.2f TiB", bytes / 1024.0 / 1024 / 1024 / 1024);
    }

    private static long parse(String what, String text, String expected, long min) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(what + ": " + text + " (expected: " + expected + ")");
        }
        double value = Double.parseDouble(m.group(1));
        double factor = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1;
            case "k", "kib" -> 1024;
            case "m", "mib" -> 1024 * 1024;
            case "g", "gib" -> 1024.0 * 1024 * 1024;
            case "kb" -> 1e3;
            case "mb" -> 1e6;
            case "gb" -> 1e9;
            case "kbit" -> 1e3 / 8;
            case "mbit" -> 1e6 / 8;
            case "gbit" -> 1e9 / 8;
            default -> throw new IllegalArgumentException(what + ": " + text + " (expected: " + expected + ")");
        };
        double bytes = value * factor;
        if (bytes < min || bytes > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException(what + ": " + text + " (expected: " + expected
                    + ", at least " + min + ")");
        }
        return (long) bytes;
    }
}
