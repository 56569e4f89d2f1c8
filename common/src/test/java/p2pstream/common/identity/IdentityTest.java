package p2pstream.common.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.wire.PeerId;

class IdentityTest {
    @TempDir
    Path dir;

    @Test
    void createdOnceOwnerOnlyInAnOwnerOnlyDirectoryAndReadBack() throws Exception {
        Path file = dir.resolve("home/.p2pstream/identity.key");
        Identity first = Identity.loadOrCreate(file);
        Identity again = Identity.loadOrCreate(file);
        assertEquals(first.peerId(), again.peerId());
        assertArrayEquals(first.publicKey(), again.publicKey());
        assertEquals(PeerId.of(first.publicKey()), first.peerId());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left beside it");
        }
        byte[] message = "hello".getBytes(StandardCharsets.US_ASCII);
        assertTrue(Ed25519.verifies(Ed25519.publicKey(first.publicKey()), message, again.sign(message)));
    }

    @Test
    void anotherFileIsAnotherIdentity() throws Exception {
        assertNotEquals(Identity.loadOrCreate(dir.resolve("a.key")).peerId(),
                Identity.loadOrCreate(dir.resolve("b.key")).peerId());
        assertNotEquals(Identity.generate().peerId(), Identity.generate().peerId());
    }

    @Test
    @Timeout(30)
    void processesStartingAtOnceEndWithTheSameIdentity() throws Exception {
        Path file = dir.resolve("race/identity.key");
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<PeerId>> ids = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                ids.add(pool.submit(() -> {
                    start.await();
                    return Identity.loadOrCreate(file).peerId();
                }));
            }
            start.countDown();
            PeerId onDisk = null;
            for (Future<PeerId> id : ids) {
                PeerId got = id.get(20, TimeUnit.SECONDS);
                onDisk = onDisk == null ? Identity.loadOrCreate(file).peerId() : onDisk;
                assertEquals(onDisk, got, "every racer uses the identity on disk");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void damagedFilesAreClearErrors() throws Exception {
        Path file = dir.resolve("bad.key");
        Files.writeString(file, "private: AAAA\npublic: AAAA\n");
        IOException e = assertThrows(IOException.class, () -> Identity.loadOrCreate(file));
        assertTrue(e.getMessage().startsWith("key file " + file + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(expected: a p2pstream identity)"), e.getMessage());

        Files.writeString(file, "nothing here\n");
        e = assertThrows(IOException.class, () -> Identity.loadOrCreate(file));
        assertEquals("key file " + file + ": no private or public line (expected: a p2pstream identity)",
                e.getMessage());

        // two halves of different keys
        Path a = dir.resolve("a.key");
        Path b = dir.resolve("b.key");
        Identity.loadOrCreate(a);
        Identity.loadOrCreate(b);
        String mixed = Files.readAllLines(a).get(1) + "\n" + Files.readAllLines(b).get(2) + "\n";
        Files.writeString(file, mixed);
        e = assertThrows(IOException.class, () -> Identity.loadOrCreate(file));
        assertTrue(e.getMessage().contains("public key does not match"), e.getMessage());
    }

    @Test
    void theKeyIsNeverInItsTextForm() throws Exception {
        Path file = dir.resolve("id.key");
        Identity id = Identity.loadOrCreate(file);
        String secret = Files.readAllLines(file).get(1).substring("private: ".length());
        assertFalse(id.toString().contains(secret));
        assertEquals("Identity[" + id.peerId().text() + "]", id.toString());
    }
}
