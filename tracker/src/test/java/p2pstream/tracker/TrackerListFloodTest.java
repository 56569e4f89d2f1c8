package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Streams;

/**
 * Issue 10 #4: LISTs with a long filter over many long names made one session's scan hold the registry loop for
 * seconds, and another session's LOOKUP waited behind it (16-28 s; a new viewer failed). A LIST now matches in
 * time linear in the names and scans in bounded steps with other sessions' work between them.
 */
class TrackerListFloodTest extends TrackerFixture {
    /** Announced by each seed session: under its 2,000 frames a second with HELLO and one LIST. */
    private static final int NAMES_PER_SEED = 1900;
    private static final int SEEDS = 10;
    private static final int LISTS = RegistryRequests.MAX_QUERIES_IN_FLIGHT;
    private static final int FLOODERS = 2;

    @HostileCase(value = "LIST flood: 2 sessions x 8 LISTs with a 501-character filter over 19,000 names of"
            + " ~1,000 characters (tracker)",
            expect = "another session's LOOKUP is answered while the LISTs are still scanning, before the last LIST's"
                    + " answer; every LIST is answered", section = HostileCase.FLOODS)
    @Timeout(120)
    void aLookupIsAnsweredWhileAnotherSessionsListsScanManyLongNames(Trial trial) throws Exception {
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int s = 0; s < SEEDS; s++) {
                RawClient seed = connect();
                clients.add(seed);
                seed.trackerHello(LISTEN_PORT + s);
                List<Message> batch = new ArrayList<>();
                for (int i = 0; i < NAMES_PER_SEED; i++) {
                    batch.add(announce(new ContentId(99, 0, s, i), "a".repeat(990) + "-" + s + "-" + i));
                }
                seed.send(batch.toArray(new Message[0]));
                seed.send(new ListStreams("no-such-stream", 1)); // answered once every ANNOUNCE before it is applied
                seed.expect(MessageType.STREAMS, Streams::decode);
            }
            assertEquals(SEEDS * NAMES_PER_SEED, tracker.streamCount());

            List<CompletableFuture<Long>> lastAnswers = new ArrayList<>();
            // 500 a's then b: every position of every name matches up to 500 characters, then fails
            Message[] lists = new Message[LISTS];
            Arrays.fill(lists, new ListStreams("a".repeat(500) + "b", 100));
            long floodStart = System.nanoTime();
            for (int f = 0; f < FLOODERS; f++) {
                RawClient flooder = connect();
                clients.add(flooder);
                flooder.trackerHello(0);
                flooder.send(lists);
                lastAnswers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        for (int i = 0; i < LISTS; i++) {
                            assertEquals(0, flooder.expect(MessageType.STREAMS, Streams::decode).streams().size());
                        }
                        return System.nanoTime();
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                }));
            }

            // connected only now: seeding 19,000 names can take longer than the HELLO deadline on a loaded machine
            RawClient asker = connect();
            clients.add(asker);
            asker.trackerHello(0);
            long askedAt = System.nanoTime();
            asker.send(Lookup.byContentId(new ContentId(99, 0, 3, 7), 10));
            Peers found = asker.expect(MessageType.PEERS, Peers::decode);
            long answeredAt = System.nanoTime();
            assertTrue(found.found(), "the LOOKUP finds the stream");
            long lastListAt = 0;
            for (CompletableFuture<Long> f : lastAnswers) {
                lastListAt = Math.max(lastListAt, f.get());
            }
            trial.record("LOOKUP latency during the flood, ms", (answeredAt - askedAt) / 1e6);
            trial.record("all 16 LISTs answered after, ms", (lastListAt - floodStart) / 1e6);
            assertTrue(answeredAt < lastListAt, "the LOOKUP waited for the LIST scans: answered "
                    + (answeredAt - askedAt) / 1_000_000 + " ms after asking, "
                    + (answeredAt - lastListAt) / 1_000_000 + " ms after the last LIST's answer");
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
        }
        awaitNoConnectionsAndNoEntries();
    }
}
