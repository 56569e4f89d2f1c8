package p2pstream.peer.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.wire.PeerId;

/** What a peer demands of its tracker: a given id, the one remembered on first use, or any. No network. */
class TrackerTrustTest {
    /** An address no test connects to: only its name is kept. */
    private static final InetSocketAddress REMOTE = new InetSocketAddress(address(10, 1, 2, 3), 2045);
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 2045);

    @TempDir
    Path dir;

    @Test
    void theFirstIdATrackerProvesIsRememberedAndDemandedFromThenOn() throws Exception {
        Path file = dir.resolve("home/known-trackers");
        TrackerTrust trust = TrackerTrust.of(null, file);
        assertNull(trust.expected(REMOTE), "unknown: any id on first use");
        PeerId first = PeerId.random();
        trust.proved(REMOTE, first);
        assertEquals(first, trust.expected(REMOTE));
        assertTrue(Files.readString(file).contains("10.1.2.3:2045 " + first.text()), Files.readString(file));
        trust.proved(REMOTE, PeerId.random());
        assertEquals(first, TrackerTrust.of(null, file).expected(REMOTE), "a later id never replaces it");
        assertNull(trust.expected(new InetSocketAddress(REMOTE.getAddress(), 2046)), "another port is another one");
    }

    @Test
    void aLoopbackTrackerIsNotRememberedButAGivenIdIsDemandedEverywhere() throws Exception {
        Path file = dir.resolve("known-trackers");
        TrackerTrust remembering = TrackerTrust.of(null, file);
        remembering.proved(LOOPBACK, PeerId.random());
        assertNull(remembering.expected(LOOPBACK));
        assertFalse(Files.exists(file));
        PeerId given = PeerId.random();
        TrackerTrust pinned = TrackerTrust.of(given, file);
        assertEquals(given, pinned.expected(LOOPBACK));
        assertEquals(given, pinned.expected(REMOTE));
        pinned.proved(REMOTE, PeerId.random());
        assertFalse(Files.exists(file), "a given id writes nothing");
    }

    @Test
    void aDamagedLineIsSkippedNeverTrusted() throws Exception {
        Path file = dir.resolve("known-trackers");
        PeerId good = PeerId.random();
        Files.writeString(file, "# comment\n10.1.2.3:2045 NOT-AN-ID\n10.1.2.3:2046 " + good.text() + "\nhalf\n");
        TrackerTrust trust = TrackerTrust.of(null, file);
        assertNull(trust.expected(REMOTE));
        assertEquals(good, trust.expected(new InetSocketAddress(REMOTE.getAddress(), 2046)));
    }

    @Test
    void aFileTooLargeToReadIsNeverReplacedByTheOneTrackerProvedNext() throws Exception {
        Path file = dir.resolve("known-trackers");
        PeerId kept = PeerId.random();
        StringBuilder big = new StringBuilder("10.1.2.3:2046 " + kept.text() + "\n");
        while (big.length() <= (1 << 20)) {
            big.append("# padding to make the file larger than the trust reads\n");
        }
        Files.writeString(file, big);
        TrackerTrust trust = TrackerTrust.of(null, file);
        assertNull(trust.expected(REMOTE));
        trust.proved(REMOTE, PeerId.random());
        assertEquals(big.toString(), Files.readString(file), "the remembered trackers it could not read are kept");
        try (var left = Files.list(dir)) {
            assertEquals(1, left.count(), "no temporary file left beside it");
        }
    }

    @Test
    void theCommandLineTakesTheIdAfterTheHashOrTrackerIdAndRefusesTwoThatDiffer() {
        PeerId id = PeerId.random();
        assertEquals("host:2045", TrackerTrust.address("host:2045#" + id.text()));
        assertEquals(id, TrackerTrust.ofCommandLine("host#" + id.text(), null).expected(REMOTE));
        assertEquals(id, TrackerTrust.ofCommandLine("host", id.text()).expected(REMOTE));
        assertEquals(id, TrackerTrust.ofCommandLine("host#" + id.text(), id.text().toLowerCase()).expected(REMOTE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrackerTrust.ofCommandLine("host#" + id.text(), PeerId.random().text()));
        assertTrue(e.getMessage().startsWith("--tracker-id: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrackerTrust.ofCommandLine("host#XYZ", null));
        assertTrue(e.getMessage().startsWith("TRACKER: peer id: "), e.getMessage());
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
