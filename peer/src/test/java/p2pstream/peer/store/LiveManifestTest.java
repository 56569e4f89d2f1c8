package p2pstream.peer.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ProtocolException;

class LiveManifestTest {
    private static final byte[] SHA = new byte[32];

    @TempDir
    Path dir;

    @Test
    void decodesWhatItEncodesAndChecksTheContentId() throws Exception {
        PublisherKey key = PublisherKey.generate();
        LiveManifest m = new LiveManifest("cam/1", 64 * 1024, key.publicKey(), 1L);
        LiveManifest d = LiveManifest.decode(m.encoded(), m.contentId());
        assertEquals(m.contentId(), d.contentId());
        assertEquals("cam/1", d.name());
        assertEquals(64 * 1024, d.chunkSize());
        assertArrayEquals(key.publicKey(), d.publicKey());
        ContentId other = new LiveManifest("cam/2", 64 * 1024, key.publicKey(), 1L).contentId();
        assertThrows(ProtocolException.class, () -> LiveManifest.decode(m.encoded(), other));
    }

    @Test
    void theContentIdDependsOnKeyAndName() {
        PublisherKey a = PublisherKey.generate();
        PublisherKey b = PublisherKey.generate();
        assertEquals(new LiveManifest("x", 65536, a.publicKey(), 1L).contentId(),
                new LiveManifest("x", 65536, a.publicKey(), 1L).contentId());
        assertNotEquals(new LiveManifest("x", 65536, a.publicKey(), 1L).contentId(),
                new LiveManifest("x", 65536, b.publicKey(), 1L).contentId());
        assertNotEquals(new LiveManifest("x", 65536, a.publicKey(), 1L).contentId(),
                new LiveManifest("y", 65536, a.publicKey(), 1L).contentId());
    }

    @Test
    void everyRunOfAStreamIsItsOwnStream() {
        byte[] key = PublisherKey.generate().publicKey();
        assertNotEquals(new LiveManifest("x", 65536, key, 1L).contentId(),
                new LiveManifest("x", 65536, key, 2L).contentId(),
                "a chunk of an earlier run must never verify as one of this run");
    }

    @Test
    void everyTruncationAndTrailingByteIsRefused() {
        LiveManifest m = new LiveManifest("cam", 65536, PublisherKey.generate().publicKey(), 1L);
        byte[] e = m.encoded();
        for (int n = 0; n < e.length; n++) {
            byte[] cut = Arrays.copyOf(e, n);
            assertThrows(ProtocolException.class,
                    () -> LiveManifest.decode(cut, ContentId.of(Manifest.sha256().digest(cut))), "length " + n);
        }
        byte[] longer = Arrays.copyOf(e, e.length + 1);
        assertThrows(ProtocolException.class,
                () -> LiveManifest.decode(longer, ContentId.of(Manifest.sha256().digest(longer))));
    }

    @Test
    void aFileManifestIsNotALiveOne() {
        Manifest file = new Manifest("f", 10, 16384, new byte[32]);
        ProtocolException e =
                assertThrows(ProtocolException.class, () -> LiveManifest.decode(file.encoded(), file.contentId()));
        assertTrue(e.getMessage().contains("format"), e.getMessage());
    }

    @Test
    void signaturesVerifyOnlyForWhatWasSigned() {
        PublisherKey key = PublisherKey.generate();
        LiveManifest m = new LiveManifest("cam", 65536, key.publicKey(), 1L);
        byte[] sig = key.signChunk(m.contentId(), 7, 1_000, SHA);
        assertTrue(m.verifiesChunk(7, 1_000, SHA, sig));
        assertFalse(m.verifiesChunk(8, 1_000, SHA, sig), "another index");
        assertFalse(m.verifiesChunk(7, 1_001, SHA, sig), "another time");
        byte[] otherSha = SHA.clone();
        otherSha[0] = 1;
        assertFalse(m.verifiesChunk(7, 1_000, otherSha, sig), "other bytes");
        assertFalse(m.verifiesEnd(7, 1_000, sig), "a chunk's signature is not an end's");
        LiveManifest otherStream = new LiveManifest("cam2", 65536, key.publicKey(), 1L);
        assertFalse(otherStream.verifiesChunk(7, 1_000, SHA, sig), "another stream of the same key");
        LiveManifest otherKey = new LiveManifest("cam", 65536, PublisherKey.generate().publicKey(), 1L);
        assertFalse(otherKey.verifiesChunk(7, 1_000, SHA, key.signChunk(otherKey.contentId(), 7, 1_000, SHA)),
                "another key");
        assertTrue(m.verifiesEnd(9, 5, key.signEnd(m.contentId(), 9, 5)));
        assertFalse(m.verifiesChunk(7, 1_000, SHA, new byte[64]), "garbage signature");
    }

    @Test
    void theKeyFileIsCreatedOnceOwnerOnlyAndReadBack() throws Exception {
        Path file = dir.resolve("keys/publisher.key");
        PublisherKey first = PublisherKey.loadOrCreate(file);
        PublisherKey again = PublisherKey.loadOrCreate(file);
        assertArrayEquals(first.publicKey(), again.publicKey());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        LiveManifest m = new LiveManifest("cam", 65536, again.publicKey(), 1L);
        assertTrue(m.verifiesChunk(1, 2, SHA, again.signChunk(m.contentId(), 1, 2, SHA)));
    }

    @Test
    void aDamagedKeyFileIsAClearError() throws Exception {
        Path file = dir.resolve("bad.key");
        Files.writeString(file, "private: AAAA\npublic: AAAA\n");
        IOException e = assertThrows(IOException.class, () -> PublisherKey.loadOrCreate(file));
        assertTrue(e.getMessage().startsWith("key file " + file), e.getMessage());
    }
}
