package p2pstream.common.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The logging options every program takes ({@code --log-level LEVEL}, {@code -q}, {@code --log-file FILE}), as a
 * picocli mixin, and the slf4j-simple properties they stand for. Main thread only, before the first logger exists.
 */
public final class LogOptions {
    /** The levels slf4j-simple knows, quietest last. */
    static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error", "off");

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "log lines at this level and above: trace, debug, info, warn, error or off (default: info;"
                    + " peer-client: warn)")
    String level;

    @Option(names = {"-q", "--quiet"}, description = "log warnings and errors only (--log-level warn)")
    boolean quiet;

    @Option(names = "--log-file", paramLabel = "FILE",
            description = "write log lines to FILE, replaced at start, instead of stderr")
    Path file;

    /** True when the user chose a level ({@code --log-level} or {@code -q}). */
    public boolean levelGiven() {
        return level != null || quiet;
    }

    /** {@code -q} was given. */
    public boolean quiet() {
        return quiet;
    }

    private String level() {
        return level == null ? null : level.toLowerCase(Locale.ROOT);
    }

    /**
     * The slf4j-simple system properties for these options: timestamps on every line, the chosen level (else
     * {@code defaultLevel}), and the log file when one was given.
     *
     * @throws IllegalArgumentException for an unknown level, {@code -q} with another level, or a file that cannot be
     *                                  written
     */
    Map<String, String> properties(String defaultLevel) {
        String chosen = defaultLevel;
        if (level != null) {
            chosen = level();
            if (!LEVELS.contains(chosen)) {
                throw new IllegalArgumentException("--log-level: " + level + " (expected: one of "
                        + String.join(", ", LEVELS) + ")");
            }
            if (quiet && !chosen.equals("warn")) {
                throw new IllegalArgumentException("-q: with --log-level " + level + " (expected: one of them)");
            }
        } else if (quiet) {
            chosen = "warn";
        }
        Map<String, String> p = new LinkedHashMap<>();
        p.put("org.slf4j.simpleLogger.defaultLogLevel", chosen);
        p.put("org.slf4j.simpleLogger.showDateTime", "true");
        p.put("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        p.put("org.slf4j.simpleLogger.showShortLogName", "true");
        p.put("org.slf4j.simpleLogger.showThreadName", "false");
        if (file != null) {
            // slf4j-simple falls back to stderr with a stack trace when it cannot open the file: say why, once, instead
            try (OutputStream probe = Files.newOutputStream(file, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)) {
                probe.flush();
            } catch (IOException | UnsupportedOperationException e) {
                throw new IllegalArgumentException("--log-file: " + file + " cannot be written: " + reason(e)
                        + " (expected: a file in an existing, writable directory)", e);
            }
            p.put("org.slf4j.simpleLogger.logFile", file.toString());
        }
        return p;
    }

    /** Sets the properties; must run before the first logger is created, or slf4j-simple never reads them. */
    public void apply(String defaultLevel) {
        properties(defaultLevel).forEach(System::setProperty);
    }

    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such directory";
        }
        return e instanceof IOException io ? Cli.reason(io) : e.toString();
    }
}
