package p2pstream.peer.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.access.AccountAnswer;
import p2pstream.common.access.AccountRequest;
import p2pstream.common.access.Devices;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.EventLoop;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.tracker.Tracker;

/**
 * ACCOUNT and DEVICES through the peer's own TrackerClient at a real tracker: answered beside LIST (which they may
 * overtake) and matched to their questions; refused on a plaintext session (both ends allowing plaintext) and not
 * sent again.
 */
@Timeout(60)
class TrackerAccountQueriesTest {
    @TempDir
    Path data;

    @Test
    void accountAndDevicesAnswersAreMatchedBesideListsAndRefusedInPlaintext() throws Exception {
        Identity laptop = Identity.generate();
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback().withAccounts(data, 10)
                .withKey(StaticKey.of(Identity.generate(), true)));
             EventLoop loop = new EventLoop("test-tracker-client").start()) {
            TrackerClient client = new TrackerClient(loop, tracker.address(),
                    new Security(StaticKey.of(laptop), TrackerTrust.any()), Role.CLIENT, 0, true);
            client.start();
            AccountAnswer made = client.account(new AccountRequest(AccountRequest.Op.REGISTER, "alice",
                    "pw".toCharArray())).get(30, TimeUnit.SECONDS);
            assertEquals(1, made.devices());
            // pipelined: LIST, DEVICES, LIST, DEVICES; the store may answer before the registry
            CompletableFuture<Streams> l1 = client.list(new ListStreams("", 10));
            CompletableFuture<Devices> d1 = client.devices("alice");
            CompletableFuture<Streams> l2 = client.list(new ListStreams("", 10));
            CompletableFuture<Devices> d2 = client.devices("nobody");
            assertEquals(List.of(laptop.peerId()), d1.get(10, TimeUnit.SECONDS).ids());
            assertEquals(Devices.Found.NO_ACCOUNT, d2.get(10, TimeUnit.SECONDS).found());
            assertEquals(List.of(), l1.get(10, TimeUnit.SECONDS).streams());
            assertEquals(List.of(), l2.get(10, TimeUnit.SECONDS).streams());
            client.close();

            TrackerClient plain = new TrackerClient(loop, tracker.address(),
                    new Security(StaticKey.of(Identity.generate(), true), TrackerTrust.any()), Role.CLIENT, 0, true);
            plain.start();
            ExecutionException e = assertThrows(ExecutionException.class, () -> plain.account(new AccountRequest(
                    AccountRequest.Op.LOG_IN, "alice", "pw".toCharArray())).get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("refused ACCOUNT: FORBIDDEN: account on a plaintext"
                    + " session"), e.getCause().getMessage());
            plain.close();
        }
    }
}
