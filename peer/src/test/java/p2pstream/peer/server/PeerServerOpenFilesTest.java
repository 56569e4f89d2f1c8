package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.peer.client.Stats;
import p2pstream.peer.client.Watch;
import p2pstream.tracker.Tracker;

/**
 * Issue 10 #8: a peer-server kept every shared file open from its start, so sharing more files than it had
 * descriptors failed at start. Now at most {@code openFiles} are open; every file is still served, whole.
 */
class PeerServerOpenFilesTest {
    private static final int FILES = 12;
    private static final int OPEN_FILES = 4;
    private static final int FILE_BYTES = 200_000;

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void servesMoreFilesThanItKeepsOpenConcurrentlyAndInTurnWithIdenticalBytes() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            byte[] bytes = new byte[FILE_BYTES + i * 1_000];
            new Random(i).nextBytes(bytes);
            Files.write(shared.resolve("f" + i + ".bin"), bytes);
            hashes.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        }
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = PeerServer.start(PeerServer.Config.loopback(tracker.address(), shared)
                     .withOpenFiles(OPEN_FILES))) {
            server.announced().get(10, TimeUnit.SECONDS);
            assertEquals(FILES, server.streamCount());
            assertEquals(0, server.openFileCounts()[0], "nothing is open before it is asked for");

            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger sampledMax = new AtomicInteger();
            Thread sampler = new Thread(() -> {
                while (!done.get()) {
                    sampledMax.accumulateAndGet(server.openFileCounts()[0], Math::max);
                    LockSupport.parkNanos(200_000);
                }
            });
            sampler.start();
            ExecutorService viewers = Executors.newFixedThreadPool(FILES);
            try {
                List<Future<Stats>> all = new ArrayList<>();
                for (int i = 0; i < FILES; i++) {
                    int file = i;
                    all.add(viewers.submit(() -> download(tracker, file, "concurrent")));
                }
                for (int i = 0; i < FILES; i++) {
                    Stats s = all.get(i).get(60, TimeUnit.SECONDS);
                    assertTrue(s.complete(), s.toString());
                    assertEquals(hashes.get(i), s.sha256(), "concurrent f" + i);
                }
                for (int i = 0; i < FILES; i++) {
                    Stats s = download(tracker, i, "in-turn");
                    assertEquals(hashes.get(i), s.sha256(), "in turn f" + i);
                }
            } finally {
                done.set(true);
                sampler.join();
                viewers.shutdownNow();
            }
            assertTrue(server.openFileCounts()[1] <= OPEN_FILES, "peak open files " + server.openFileCounts()[1]);
            assertTrue(sampledMax.get() <= OPEN_FILES, "sampled open files " + sampledMax.get());
            assertTrue(server.openFileCounts()[1] >= 1, "files were opened on demand");
        }
    }

    private Stats download(Tracker tracker, int file, String run) throws Exception {
        Path out = Files.createDirectories(tmp.resolve(run)).resolve("f" + file + ".bin");
        return Watch.run(Watch.Config.of(tracker.address(), "f" + file + ".bin").withUpload(false)
                .withOutputFile(out));
    }
}
