package p2pstream.common.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a program's process when one of its event loops dies of an {@link Error} (out of memory, say): a tracker
 * or server whose loop is gone answers nothing, and must not linger as a zombie that only SIGKILL removes. It
 * logs the cause, runs the shutdown hooks through {@link System#exit}, and halts if they do not finish in time.
 * For the programs' mains only (tests run many loops in one JVM). Any thread.
 */
public final class FatalExit {
    /** Exit status of a process whose event loop died. */
    public static final int STATUS = 1;
    /** Shutdown hooks that take longer (a loop that cannot close, say) are cut short. */
    static final long HOOKS_MILLIS = 5_000;
    private static final Logger log = LoggerFactory.getLogger(FatalExit.class);

    private FatalExit() {
    }

    /** Watches every loop of {@code group}: the first that dies of an Error ends the process. */
    public static void onLoopDeath(EventLoopGroup group, String program) {
        for (EventLoop loop : group.loops()) {
            loop.terminated().whenComplete((v, e) -> {
                if (e != null) {
                    exit(program + ": event loop " + loop.name() + " died: " + e);
                }
            });
        }
    }

    private static void exit(String message) {
        log.error("{}; exiting", message);
        System.err.println(message);
        System.err.flush();
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(HOOKS_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(STATUS);
        }, "fatal-exit-halt");
        halt.setDaemon(true);
        halt.start();
        // not on the dying loop's thread: a shutdown hook may wait for that thread to end
        Thread exit = new Thread(() -> System.exit(STATUS), "fatal-exit");
        exit.start();
    }
}
