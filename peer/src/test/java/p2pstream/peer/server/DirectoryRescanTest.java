package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static p2pstream.common.net.Await.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.Clock;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.common.net.Loopback;
import p2pstream.peer.store.SharedDirectory;

/**
 * Where the file system gives no change events, the periodic rescan alone (on the loop's timers) still finds
 * additions, changes and deletions.
 */
class DirectoryRescanTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(30)
    void withoutChangeEventsTheRescanFindsAdditionsChangesAndDeletions() throws Exception {
        Map<String, ServedStream> shared = new ConcurrentHashMap<>();
        DirectoryWatch.Listener listener = new DirectoryWatch.Listener() {
            @Override
            public void onShared(ServedStream added, ServedStream replaced) {
                shared.put(added.manifest().name(), added);
            }

            @Override
            public void onUnshared(ServedStream removed) {
                shared.remove(removed.manifest().name(), removed);
            }
        };
        try (OpenFiles open = new OpenFiles(4);
             SharedFiles files = new SharedFiles(new SharedDirectory(dir), Clock.SYSTEM, open);
             EventLoopGroup group = new EventLoopGroup("rescan", 1)) {
            EventLoop loop = group.loops().get(0);
            DirectoryWatch watch = new DirectoryWatch(files, loop, List.of(), listener, 50, 200, false);
            watch.start();
            // each step starts once the watch has nothing left to do: only a periodic rescan can see it then
            BooleanSupplier idle = () -> {
                try {
                    return !Loopback.onLoop(loop, watch::busy);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            try {
                await("the first listing done", idle);
                Files.writeString(dir.resolve("a.bin"), "first");
                await("a.bin found by a rescan", () -> shared.containsKey("a.bin"));
                assertEquals(5, shared.get("a.bin").manifest().size());

                await("idle after a.bin", idle);
                Files.writeString(dir.resolve("a.bin"), "changed content");
                await("the change found", () -> shared.get("a.bin").manifest().size() == 15);

                await("idle after the change", idle);
                Files.delete(dir.resolve("a.bin"));
                await("the deletion found", shared::isEmpty);
            } finally {
                watch.close();
            }
        }
    }
}
