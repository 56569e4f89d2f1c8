package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.TamperingRelay.Tamper;
import p2pstream.common.net.TamperingRelay;
import p2pstream.common.net.Trial;

/**
 * An attacker on the path between a viewer and one of two peer-servers alters the peer's records: whatever it does,
 * that connection ends at the record it touched, nothing of it reaches the chunk check, and the stream finishes
 * identical from the other peer.
 */
class TransportTamperingTest {
    private static final int SIZE = 16 << 20; // 64 chunks: both peers are asked
    /** Past handshake message 2 and the first records (HELLO, MANIFEST, HAVE_ALL): into the chunks. */
    private static final int AT_UNIT = 8;

    @TempDir
    Path dir;

    @HostileCase(value = "A bit flipped in a record between a viewer and a peer-server",
            expect = "that connection ends at the record (AUTHENTICATION); no hash failure; identical from the other"
                    + " peer", section = HostileCase.TRANSPORT)
    void aFlippedBit(Trial trial) throws Exception {
        tamperAndFinish(Tamper.FLIP, trial);
    }

    @HostileCase(value = "A record replayed between a viewer and a peer-server",
            expect = "that connection ends at the copy; no hash failure; identical from the other peer",
            section = HostileCase.TRANSPORT)
    void aReplayedRecord(Trial trial) throws Exception {
        tamperAndFinish(Tamper.REPLAY, trial);
    }

    @HostileCase(value = "Two records swapped between a viewer and a peer-server",
            expect = "that connection ends at the first; no hash failure; identical from the other peer",
            section = HostileCase.TRANSPORT)
    void swappedRecords(Trial trial) throws Exception {
        tamperAndFinish(Tamper.SWAP, trial);
    }

    @HostileCase(value = "A record dropped between a viewer and a peer-server",
            expect = "that connection ends at the next; no hash failure; identical from the other peer",
            section = HostileCase.TRANSPORT)
    void aDroppedRecord(Trial trial) throws Exception {
        tamperAndFinish(Tamper.DROP, trial);
    }

    @HostileCase(value = "The connection cut in the middle of a record",
            expect = "that connection ends as cut short; no hash failure; identical from the other peer",
            section = HostileCase.TRANSPORT)
    void aRecordCutShort(Trial trial) throws Exception {
        tamperAndFinish(Tamper.CUT, trial);
    }

    private void tamperAndFinish(Tamper tamper, Trial trial) throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", SIZE, 14);
        long start = System.nanoTime();
        // each server capped so the file takes a second or more: the tampered peer is asked for chunks, whoever
        // finishes its handshake first
        try (TestSwarm swarm = TestSwarm.start(dir.resolve("swarm"), source, "movie.bin", 2, SIZE / 2);
             TamperingRelay relay = new TamperingRelay(swarm.servers.get(0).address(), tamper, AT_UNIT)) {
            Path out = dir.resolve("out.bin");
            Stats stats = TestSwarm.download(swarm.config("movie.bin").withUpload(false)
                    .withPeerAddresses(List.of(relay.address(), swarm.servers.get(1).address())), out);
            assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
            assertTrue(relay.tampered.get() >= 1, "the relay never reached record " + AT_UNIT + ": nothing was tested");
            assertEquals(0, stats.hashFailures(), "a tampered record reached the chunk check");
            trial.record("connections tampered with", relay.tampered.get());
            trial.record("seconds to the identical stream", (System.nanoTime() - start) / 1e9);
        }
    }
}
