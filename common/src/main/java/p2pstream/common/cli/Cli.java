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
            err.println(c.getCommandName() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            err.flush();
            return 1;
        });
        return cl.execute(args);
    }
}
