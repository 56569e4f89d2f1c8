package p2pstream.tracker;

import p2pstream.common.cli.Cli;

/**
 * {@code java -jar tracker.jar ADDRESS [options]}: a class of its own, without a logger, so that logging is configured
 * from the command line before {@link Tracker}'s logger exists (it used to be created first, and the tracker's lines
 * had no timestamps). Main thread only.
 */
public final class TrackerMain {
    private TrackerMain() {
    }

    public static void main(String[] args) {
        Tracker.Command command = new Tracker.Command();
        System.exit(Cli.runMain(command, command.logs, () -> "info", args));
    }
}
