package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Role;

/**
 * Issue 10 #8: out of file descriptors, the acceptor spun (the pending connection stays pending, the listener
 * stays ready): one core at 100% and 73 MB of log in 5 s. It now pauses accepting and logs at a bounded pace,
 * and the default connection limit fits under the open-file limit.
 */
class AcceptUnderDescriptorLimitE2ETest {
    private static final int DESCRIPTORS = 100;
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: /proc/PID/stat counts in these on Linux
    private final Processes processes = new Processes();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        processes.close();
    }

    @HostileCase(value = "Out of file descriptors: 150 connections to a tracker under ulimit -n 100 with"
            + " --max-connections 1000 (built jar)",
            expect = "accepts pause instead of spinning: under 0.5 s of CPU in 2 s and at most 2 log lines about it;"
                    + " once connections close, a new session is welcomed", section = HostileCase.FLOODS)
    @Timeout(120)
    void pausesAcceptingWhenOutOfDescriptorsInsteadOfSpinning(Trial trial) throws Exception {
        Tracker t = startTracker("--max-connections", "1000", "--max-connections-per-address", "1000");
        for (int i = 0; i < 150; i++) {
            sockets.add(connect(t.port)); // queued in the backlog when the tracker cannot accept them
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.acceptFailureLines() == 0) {
            assertTrue(System.nanoTime() < deadline, "the tracker never ran out of descriptors: " + t.log);
            Thread.onSpinWait();
        }
        long cpuBefore = cpuTicks(t.process.pid());
        long linesBefore = t.acceptFailureLines();
        long start = System.nanoTime();
        Thread.sleep(2_000); // a measuring window, not a wait for a condition
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (cpuTicks(t.process.pid()) - cpuBefore) / (double) CLOCK_TICKS_PER_SECOND;
        long lines = t.acceptFailureLines() - linesBefore;
        trial.record("CPU seconds used in the 2 s window", cpuSeconds);
        trial.record("log lines about failed accepts in the window", lines);
        assertTrue(cpuSeconds < 0.5 * seconds / 2, "CPU " + cpuSeconds + " s in " + seconds + " s: the acceptor spins");
        assertTrue(lines <= 2, lines + " lines about failed accepts in the window: " + t.log);

        for (int i = 0; i < 100; i++) {
            sockets.remove(sockets.size() - 1).close();
        }
        long welcomed = System.nanoTime();
        try (RawClient fresh = RawClient.secure(new InetSocketAddress("127.0.0.1", t.port))) {
            fresh.trackerHello(0);
        }
        trial.recordSecondsSince("seconds until a new session is welcomed once connections close", welcomed);
        assertTrue(t.process.isAlive(), "the tracker died: " + t.log);
    }

    @HostileCase(value = "150 connections to a tracker under ulimit -n 100 at its default connection limit (built jar)",
            expect = "the default limit fits the descriptors: the connections past it get ERROR TOO_MANY_CONNECTIONS"
                    + " then EOF, none fails to be accepted", section = HostileCase.FLOODS)
    @Timeout(120)
    void derivesItsDefaultConnectionLimitFromTheDescriptorLimit(Trial trial) throws Exception {
        Tracker t = startTracker("--max-connections-per-address", "1000");
        int refused = 0;
        int welcomed = 0;
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 150; i++) {
                RawClient c = RawClient.secure(new InetSocketAddress("127.0.0.1", t.port));
                clients.add(c);
                RawClient.Frame f = firstAnswer(c);
                if (f != null && f.type() == MessageType.ERROR.code()) {
                    assertEquals(ErrorCode.TOO_MANY_CONNECTIONS, ErrorCode.of(ErrorMessage.decode(f.buffer()).code()),
                            f.describe());
                    refused++;
                } else {
                    assertTrue(f != null && f.type() == MessageType.WELCOME.code(),
                            "connection " + i + ": " + (f == null ? "EOF" : f.describe()));
                    welcomed++;
                }
            }
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
        }
        trial.record("sessions welcomed", welcomed);
        trial.record("connections refused with TOO_MANY_CONNECTIONS", refused);
        assertTrue(welcomed >= 8 && refused > 0, welcomed + " welcomed, " + refused + " refused");
        assertEquals(0, t.acceptFailureLines(), "accepts failed: " + t.log);
        assertTrue(t.process.isAlive(), "the tracker died: " + t.log);
    }

    /**
     * A refused connection gets its ERROR unasked, at once; an accepted one waits for HELLO, so a short silence
     * means accepted: then HELLO, and its answer.
     */
    private static RawClient.Frame firstAnswer(RawClient c) throws Exception {
        c.soTimeout(300);
        try {
            return c.readOrEof();
        } catch (SocketTimeoutException accepted) {
            c.soTimeout(RawClient.READ_TIMEOUT_MILLIS);
            c.send(new Hello(Role.CLIENT, c.peerId, 0, null));
            return c.readOrEof();
        }
    }

    /** A tracker jar under the descriptor limit, its log read on a thread of its own (a full pipe would stall it). */
    private Tracker startTracker(String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("127.0.0.1", "--port", "0"));
        args.addAll(List.of(options));
        Process p = processes.startWithDescriptorLimit(DESCRIPTORS, "tracker.jar", args.toArray(String[]::new));
        Tracker t = new Tracker(p, Processes.awaitPort(p, "tracker"));
        Thread reader = new Thread(() -> {
            try (BufferedReader err =
                    new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = err.readLine()) != null; ) {
                    t.log.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "tracker-log");
        reader.setDaemon(true);
        reader.start();
        return t;
    }

    private record Tracker(Process process, int port, List<String> log) {
        Tracker(Process process, int port) {
            this(process, port, new CopyOnWriteArrayList<>());
        }

        long acceptFailureLines() {
            return log.stream().filter(l -> l.contains("accept on")).count();
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return s;
    }

    /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
