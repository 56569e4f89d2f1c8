package p2pstream.peer.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C and SIGTERM for the viewer's command line: work started by {@link #untilSignalled} is told through its
 * interrupt and ends the normal way (figures written, stores closed, records kept for a resume) before the JVM halts.
 * The main thread; the hook runs on the JVM's shutdown thread.
 */
final class Signals {
    /** How long a signal waits for the work to end. */
    private static final long SHUTDOWN_WAIT_SECONDS = 10;

    private Signals() {
    }

    /** Work that ends the normal way when {@code interrupt} completes; returns its exit status. */
    interface Interruptible {
        int run(CompletableFuture<String> interrupt) throws Exception;
    }

    /**
     * Runs {@code work}; Ctrl-C or SIGTERM completes its interrupt and waits (at most SHUTDOWN_WAIT_SECONDS) for it
     * to end before the JVM halts.
     */
    static int untilSignalled(Interruptible work) throws Exception {
        CompletableFuture<String> interrupt = new CompletableFuture<>();
        CountDownLatch ended = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            interrupt.complete("interrupted");
            try {
                ended.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return work.run(interrupt);
        } finally {
            ended.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running
            }
        }
    }
}
