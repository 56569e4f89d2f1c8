package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.peer.store.Manifest;

/** Playback can start anywhere: the window follows the playhead and nothing before it is fetched. */
class SeekTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void startOffsetStreamsFromThatByteAndFetchesNothingBefore() throws Exception {
        Path source = TestSwarm.randomFile(dir, "source.bin", 5 * 1024 * 1024 + 4321, 51);
        byte[] bytes = Files.readAllBytes(source);
        long offset = 3 * 1024 * 1024 + 1000;
        try (TestSwarm swarm = TestSwarm.start(dir, source, "match.ts", 2, 0)) {
            Manifest m = swarm.servers.get(0).manifests().get(0);
            ByteArrayOutputStream played = new ByteArrayOutputStream();
            Stats stats = Watch.run(swarm.config("match.ts").withStartOffset(offset), Channels.newChannel(played));

            byte[] tail = Arrays.copyOfRange(bytes, (int) offset, bytes.length);
            assertTrue(Arrays.equals(tail, played.toByteArray()),
                    "played bytes differ from the stream after the offset");
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tail)), stats.sha256());
            assertTrue(stats.complete());
            long fetched = stats.peers().stream().mapToLong(Stats.PeerBytes::bytes).sum();
            int first = (int) (offset / m.chunkSize());
            assertEquals(m.size() - m.chunkOffset(first), fetched,
                    "only chunks from the start position on are fetched");
        }
    }
}
