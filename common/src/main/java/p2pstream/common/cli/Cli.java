package p2pstream.common.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.function.Supplier;
import p2pstream.common.net.Descriptors;
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
        long limit = Descriptors.limit();
        if (given == null) {
            return Descriptors.connectionsWithin(wanted, limit, sharePercent);
        }
        positive(option, given);
        if (given > Descriptors.connectionsWithin(given, limit, 100)) {
            System.err.println("warning: " + option + " " + given + " is more than the open-file limit (ulimit -n "
                    + limit + ") allows; connections past it fail to be accepted");
        }
        return given;
    }

    public static int run(Object command, String... args) {
        return withConventions(new CommandLine(command)).execute(args);
    }

    /**
     * Runs {@code command} as a program's {@code main}: once its command line has parsed, {@code logs} are applied
     * to slf4j-simple ({@code defaultLevel} unless the user chose one), and only then does the command run. The
     * command's class and its option fields must create no logger, or slf4j-simple would start unconfigured.
     */
    public static int runMain(Object command, LogOptions logs, Supplier<String> defaultLevel, String... args) {
        CommandLine cl = withConventions(new CommandLine(command));
        cl.setExecutionStrategy(parsed -> {
            if (!parsed.isUsageHelpRequested() && !parsed.isVersionHelpRequested()) {
                try {
                    logs.apply(defaultLevel.get());
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(parsed.commandSpec().commandLine(), e.getMessage(), e);
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl.execute(args);
    }

    /** Why an I/O operation failed, in a few words: {@code permission denied}, {@code Not a directory}. */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** {@code --help} width, and one line with status 2 for a usage error, or with 1 for a failure. */
    private static CommandLine withConventions(CommandLine cl) {
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
        return cl;
    }
}
