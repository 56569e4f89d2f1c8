package p2pstream.common.metrics;

import java.math.BigDecimal;

/**
 * The Prometheus text exposition format 0.0.4, line by line: HELP and TYPE lines, samples with at most one label,
 * names checked, label values and help text escaped, numbers as Prometheus parses them. Stateless.
 */
final class Exposition {
    private Exposition() {
    }

    /** A metric name: [a-zA-Z_:][a-zA-Z0-9_:]*. */
    static String checkName(String name) {
        if (!isName(name, true)) {
            throw new IllegalArgumentException("metric name: \"" + name + "\" (expected: [a-zA-Z_:][a-zA-Z0-9_:]*)");
        }
        return name;
    }

    /** A label name: [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved), not "le" (histogram buckets). */
    static String checkLabel(String label) {
        if (!isName(label, false) || label.startsWith("__") || label.equals("le")) {
            throw new IllegalArgumentException("label name: \"" + label + "\" (expected: [a-zA-Z_][a-zA-Z0-9_]*,"
                    + " not __... or le)");
        }
        return label;
    }

    private static boolean isName(String s, boolean colons) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || colons && c == ':'
                    || i > 0 && c >= '0' && c <= '9';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static void head(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ');
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        out.append("\n# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** {@code name{label="value"} number}, or {@code name number} when {@code label} is null. */
    static void sample(StringBuilder out, String name, String label, String value, String number) {
        out.append(name);
        if (label != null) {
            out.append('{').append(label).append("=\"");
            labelValue(out, value);
            out.append("\"}");
        }
        out.append(' ').append(number).append('\n');
    }

    static void labelValue(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** Below it a fraction is written with an exponent: a plain one would be long. */
    private static final double PLAIN_MIN = 1e-6;
    /** What 2^53 and beyond lose: above it a double is not exactly a long. */
    private static final double EXACT_LONG_LIMIT = 9_007_199_254_740_992.0;

    /** A number as Prometheus parses it: whole numbers without a fraction, +Inf, -Inf, NaN. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < EXACT_LONG_LIMIT) {
            return Long.toString((long) v);
        }
        if (Math.abs(v) >= PLAIN_MIN && Math.abs(v) < EXACT_LONG_LIMIT) {
            return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString(); // 0.0001, not 1.0E-4, as people write
        }
        return Double.toString(v);
    }
}
