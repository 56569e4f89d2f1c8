package p2pstream.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

/** The logging options become slf4j-simple's properties: a level, timestamps on every line, a file. */
class LogOptionsTest {
    private static final String LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    @TempDir
    Path dir;

    @Command
    static final class Program {
        @Mixin
        LogOptions logs = new LogOptions();
    }

    private static LogOptions parse(String... args) {
        Program p = new Program();
        new CommandLine(p).parseArgs(args);
        return p.logs;
    }

    @Test
    void theProgramsDefaultLevelWithTimestampsUnlessOneIsChosen() {
        Map<String, String> p = parse().properties("info");
        assertEquals("info", p.get(LEVEL));
        assertEquals("true", p.get("org.slf4j.simpleLogger.showDateTime"));
        assertEquals("HH:mm:ss.SSS", p.get("org.slf4j.simpleLogger.dateTimeFormat"));
        assertFalse(p.containsKey("org.slf4j.simpleLogger.logFile"));
        assertEquals("debug", parse("--log-level", "DEBUG").properties("info").get(LEVEL));
        assertEquals("warn", parse("-q").properties("info").get(LEVEL));
        assertEquals("warn", parse("--quiet", "--log-level", "warn").properties("info").get(LEVEL));
        assertTrue(parse("-q").quiet() && parse("-q").levelGiven());
        assertFalse(parse().levelGiven());
    }

    @Test
    void anUnknownLevelOrQuietWithAnotherLevelIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--log-level", "loud").properties("info"));
        assertEquals("--log-level: loud (expected: one of trace, debug, info, warn, error, off)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("-q", "--log-level", "debug").properties("info"));
        assertEquals("-q: with --log-level debug (expected: one of them)", e.getMessage());
    }

    @Test
    void aLogFileIsCreatedAtOnceAndOneThatCannotBeIsRefused() {
        Path file = dir.resolve("p.log");
        assertEquals(file.toString(),
                parse("--log-file", file.toString()).properties("info").get("org.slf4j.simpleLogger.logFile"));
        assertTrue(Files.exists(file));
        Path missing = dir.resolve("no-such-dir/p.log");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--log-file", missing.toString()).properties("info"));
        assertEquals("--log-file: " + missing + " cannot be written: no such directory"
                + " (expected: a file in an existing, writable directory)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("--log-file", dir.toString()).properties("info"));
        assertTrue(e.getMessage().startsWith("--log-file: " + dir + " cannot be written: "), e.getMessage());
    }
}
