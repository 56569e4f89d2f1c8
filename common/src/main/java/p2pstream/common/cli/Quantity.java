package p2pstream.common.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the quantities users type: rates ({@code 25MB/s}, {@code 25MiB/s}, {@code 200Mbit/s}, plain bytes
 * per second) and sizes ({@code 256KiB}, {@code 1M}, {@code 2G}). Decimal units are powers of 1000, binary
 * ones ({@code KiB}, {@code MiB}, {@code GiB}) powers of 1024, single letters ({@code K}, {@code M}, {@code G})
 * powers of 1024. Thread-safe (stateless).
 */
public final class Quantity {
    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)(/s)?");

    private Quantity() {
    }

    /** Bytes per second from a rate such as {@code 25MB/s} or {@code 200Mbit/s}. */
    public static long rate(String text) {
        return parse(text, "rate", "25MB/s, 25MiB/s, 200Mbit/s or bytes per second", 1);
    }

    /** Bytes from a size such as {@code 256KiB}, {@code 64M} or {@code 1000}. */
    public static long size(String text) {
        if (text.trim().endsWith("/s")) {
            throw new IllegalArgumentException("size: " + text + " (expected: 256KiB, 64M, 2G or bytes)");
        }
        return parse(text, "size", "256KiB, 64M, 2G or bytes", 0);
    }

    private static long parse(String text, String what, String expected, long min) {
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
            throw new IllegalArgumentException(what + ": " + text + " (expected: " + expected + ", at least " + min + ")");
        }
        return (long) bytes;
    }
}
