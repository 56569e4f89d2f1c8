package p2pstream.common.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Runs a picocli command the way all three jars behave: {@code --help} prints usage, an unknown or
 * malformed option prints one line and exits with status 2, a failure prints one line and exits with 1.
 * Called from {@code main} only.
 */
public final class Cli {
    /** Exit status for a command line that could not be parsed. */
    public static final int USAGE = 2;

    private Cli() {
    }

    /**
     * Sets slf4j-simple's format and default level; must run before the first logger is created.
     *
     * @param level trace, debug, info, warn or error
     */
    public static void configureLogging(String level) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    }

    /** Checks a port option: 0..65535. */
    public static int port(String option, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(option + ": " + port + " (expected: 0..65535)");
        }
        return port;
    }

    /** Checks a count option: at least 1. */
    public static int positive(String option, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: at least 1)");
        }
        return value;
    }

    /** Checks a duration or size option: at least 1. */
    public static long positive(String option, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: at least 1)");
        }
        return value;
    }

    /**
     * A {@code --max-connections} value: the one given (at least 1; a warning when the open-file limit cannot
     * hold it), or when none is given {@code wanted} cut to {@code sharePercent} of what the limit leaves.
     */
    public static int maxConnections(String option, Integer given, int wanted, int sharePercent) {
        long limit = p2pstream.common.net.Descriptors.limit();
        if (given == null) {
            return p2pstream.common.net.Descriptors.connectionsWithin(wanted, limit, sharePercent);
        }
        positive(option, given);
        if (given > p2pstream.common.net.Descriptors.connectionsWithin(given, limit, 100)) {
            System.err.println("warning: " + option + " " + given + " is more than the open-file limit (ulimit -n "
                    + limit + ") allows; connections past it fail to be accepted");
        }
        return given;
    }

    public static int run(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setUsageHelpWidth(100);
        cl.setParameterExceptionHandler((e, a) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println(e.getCommandLine().getCommandName() + ": " + e.getMessage() + " (try --help)");
            err.flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, c, r) -> {
            PrintWriter err = c.getErr();
            if (e instanceof IllegalArgumentException) {
                // a value that parsed as text but means nothing (a rate, an address, a port): a usage error
                err.println(c.getCommandName() + ": " + e.getMessage() + " (try --help)");
                err.flush();
                return USAGE;
            }
            err.println(c.getCommandName() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            err.flush();
            return 1;
        });
        return cl.execute(args);
    }
}
