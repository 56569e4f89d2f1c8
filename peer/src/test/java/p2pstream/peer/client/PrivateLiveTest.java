package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.access.Grant;
import p2pstream.common.access.GrantMessage;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Clock;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.SecureStreams;
import p2pstream.common.net.Trial;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Role;
import p2pstream.peer.client.live.LiveStream;
import p2pstream.peer.playback.LivePlayer;
import p2pstream.peer.server.Access;
import p2pstream.peer.server.Revocations;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Timings;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerTrust;
import p2pstream.peer.viewer.Viewer;

/**
 * A private live stream (PROTOCOL.md section 10) with a renewal period of one second, so grants live two: grantees
 * watch it across many renewals, strangers neither find nor watch it, a re-serving viewer serves a reader only while
 * the grant it shows holds, and a revoked id is cut off by the owner at once while the others keep playing.
 */
@Timeout(90)
class PrivateLiveTest {
    private static final Identity OWNER = Identity.generate();
    private static final Identity A = Identity.generate();
    private static final Identity B = Identity.generate();
    private static final long RENEWAL_MILLIS = 1_000;
    private static final long LIFETIME_MILLIS = 2 * RENEWAL_MILLIS;
    private static final String NAME = "club/cam";

    @TempDir
    Path dir;

    private static Security as(Identity who) {
        return new Security(StaticKey.of(who, false), TrackerTrust.any());
    }

    /** The owner publishes {@link #NAME} for {@code millis}, private to A and B, minus what {@code revoked} says. */
    private static TestLive publish(long millis, Revocations revoked) throws Exception {
        Access access = Access.allowing(OWNER, List.of(A.peerId(), B.peerId())).withGrantRenewal(RENEWAL_MILLIS);
        if (revoked != null) {
            access.withRevocations(revoked);
        }
        return TestLive.start(NAME, 128_000, millis, 1, c -> c.withSecurity(as(OWNER)).withAccess(access));
    }

    private static Viewer viewer(TestLive live, Identity who) throws Exception {
        return new Viewer(new Viewer.Config(live.tracker.address(), true, 0, 0, InetAddress.getLoopbackAddress(),
                Timings.DEFAULT, as(who)));
    }

    /** One live stream of a viewer, played into memory. */
    private record Watching(LiveStream stream, LivePlayer player, ByteArrayOutputStream out) {
    }

    private static Watching watch(Viewer v, StreamRequest request) throws Exception {
        LiveStream l = (LiveStream) v.open(request).get(10, TimeUnit.SECONDS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LivePlayer player = new LivePlayer(Channels.newChannel(out), 128, false, Clock.SYSTEM);
        new Thread(player, "live-player").start();
        v.loop().execute(() -> l.reader(player));
        return new Watching(l, player, out);
    }

    private static <T> T onLoop(Viewer viewer, Supplier<T> query) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        viewer.loop().execute(() -> f.complete(query.get()));
        return f.get(10, TimeUnit.SECONDS);
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 30 s for: " + what);
            }
            LockSupport.parkNanos(20_000_000);
        }
    }

    private static long expiresAt(Viewer v, Watching w) {
        try {
            return onLoop(v, w.stream::grantExpiresMillis);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The output is the stream from some chunk to its end, over more than two grant lifetimes of publish time. */
    private static void assertWholeAndLong(TestLive live, byte[] bytes) {
        int start = live.startOf(bytes);
        assertTrue(bytes.length > 0 && start >= 0, "verified and contiguous to the end: " + live.explain(bytes));
        LiveChunk first = live.published.get(start);
        LiveChunk last = live.published.get(live.published.size() - 1);
        long spanMillis = (last.publishMicros() - first.publishMicros()) / 1000;
        assertTrue(spanMillis > 2 * LIFETIME_MILLIS, "played over more than two grant lifetimes: " + spanMillis
                + " ms of chunks " + first.index() + ".." + last.index());
    }

    @Test
    void aGranteeWatchesAcrossRenewalsAndAStrangerNeitherFindsNorWatchesIt() throws Exception {
        try (TestLive live = publish(7_000, null);
             Viewer a = viewer(live, A)) {
            Watching w = watch(a, StreamRequest.of(NAME));
            long firstExpiry = onLoop(a, w.stream::grantExpiresMillis);
            assertTrue(firstExpiry > 0, "the tracker handed the grantee its grant");

            Identity stranger = Identity.generate();
            WatchException hidden = assertThrows(WatchException.class, () -> TestLive.watch(live.config()
                    .withSecurity(as(stranger)).withUpload(false)));
            assertEquals(StreamFailure.NOT_FOUND, hidden.exitStatus(), hidden.getMessage());
            WatchException refused = assertThrows(WatchException.class, () -> TestLive.watch(
                    Watch.Config.of(null, live.manifest.contentId().hex()).withSecurity(as(stranger))
                            .withPeerAddresses(List.of(live.server.address())).withUpload(false)));
            assertEquals(StreamFailure.FORBIDDEN, refused.exitStatus(), refused.getMessage());
            assertTrue(refused.getMessage().contains("may not read it"), refused.getMessage());
            assertFalse(refused.getMessage().contains("cam"), "refused by content id only: " + refused.getMessage());

            w.player.result().get(40, TimeUnit.SECONDS);
            assertWholeAndLong(live, w.out.toByteArray());
            long lastExpiry = onLoop(a, w.stream::grantExpiresMillis);
            assertTrue(lastExpiry - firstExpiry >= 2 * RENEWAL_MILLIS, "renewed while watching: expiry moved "
                    + (lastExpiry - firstExpiry) + " ms");
            assertEquals(1L, (long) onLoop(a, () -> a.catalog().traffic().linksReady()),
                    "one link to the owner, never dropped across the renewals");
        }
    }

    @Test
    void aReServingViewerServesAReaderOnlyWhileTheGrantItShowsHolds() throws Exception {
        try (TestLive live = publish(30_000, null);
             Viewer a = viewer(live, A)) {
            Watching w = watch(a, StreamRequest.of(NAME));
            ContentId id = live.manifest.contentId();
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), a.listenPort());
            await(() -> w.out.size() > 0, "viewer A playing");

            // B shows a fresh grant every period: served past two lifetimes of its first grant
            SecureStreams.warmUp();
            long firstExpiry = expiry();
            try (RawClient b = reader(at, id, Grant.forStream(OWNER, B.peerId(), id, firstExpiry))) {
                long lastExpiry = firstExpiry;
                int chunksAfterFirstExpiry = 0;
                while (System.currentTimeMillis() < firstExpiry + 2 * LIFETIME_MILLIS) {
                    RawClient.Frame f = b.read();
                    if (f.type() == MessageType.HAVE.code()) {
                        b.send(IndexMessage.request(IndexMessage.decode(MessageType.HAVE, f.buffer()).index()));
                    } else if (f.type() == MessageType.LIVE_CHUNK.code() && System.currentTimeMillis() > firstExpiry) {
                        chunksAfterFirstExpiry++;
                    }
                    assertTrue(f.type() != MessageType.ERROR.code(), "still served: " + f.describe());
                    if (System.currentTimeMillis() >= lastExpiry - RENEWAL_MILLIS) { // half its life: renew
                        lastExpiry = expiry();
                        b.send(new GrantMessage(Grant.forStream(OWNER, B.peerId(), id, lastExpiry)));
                    }
                }
                assertTrue(chunksAfterFirstExpiry > 0, "chunks served after the first grant expired: "
                        + chunksAfterFirstExpiry);
                // no renewal from now on: A closes B once its last grant expired, not before
                ErrorMessage e = untilError(b);
                assertEquals(ErrorCode.FORBIDDEN.code(), e.code(), e.message());
                assertTrue(System.currentTimeMillis() >= lastExpiry, "closed after the grant expired");
                assertFalse(e.message().contains("cam"), "by content id only: " + e.message());
            }

            // a grant shown mid-connection that is altered, of another owner, for another id, or expired: refused
            byte[] altered = Grant.forStream(OWNER, B.peerId(), id, expiry()).bytes();
            altered[altered.length - 1] ^= 1;
            List<Message> bad = List.of(new PrivateShareTest.GrantBytes(altered),
                    new GrantMessage(Grant.forStream(Identity.generate(), B.peerId(), id, expiry())),
                    new GrantMessage(Grant.forStream(OWNER, A.peerId(), id, expiry())),
                    new GrantMessage(Grant.forStream(OWNER, B.peerId(), id, System.currentTimeMillis() - 1)));
            List<Integer> codes = new ArrayList<>();
            for (Message m : bad) {
                try (RawClient b = reader(at, id, Grant.forStream(OWNER, B.peerId(), id, expiry()))) {
                    b.send(m);
                    codes.add(untilError(b).code());
                }
            }
            assertEquals(List.of(ErrorCode.AUTHENTICATION.code(), ErrorCode.FORBIDDEN.code(),
                    ErrorCode.FORBIDDEN.code(), ErrorCode.FORBIDDEN.code()), codes);
            assertTrue(w.out.size() > 0 && !w.player.result().isDone(), "A plays on");
        }
    }

    @Test
    void aRevokedGranteeIsCutOffByTheOwnerAtOnceWhileTheOtherPlaysOn() throws Exception {
        Path revokedFile = dir.resolve("owner.key.revoked");
        try (TestLive live = publish(12_000, Revocations.load(revokedFile));
             Viewer a = viewer(live, A);
             Viewer b = viewer(live, B)) {
            Watching wa = watch(a, StreamRequest.of(NAME));
            await(() -> wa.out.size() > 0, "viewer A playing");
            InetSocketAddress atA = new InetSocketAddress(InetAddress.getLoopbackAddress(), a.listenPort());
            StreamRequest viaA = new StreamRequest(NAME, List.of(atA, live.server.address()), 8, 128, 20_000, 2_000,
                    null, 0, 0, 2_000, null);
            long sessionsAtA = onLoop(a, () -> a.catalog().traffic().sessionsServed());
            Watching wb = watch(b, viaA);
            await(() -> wb.out.size() > 0, "viewer B playing");
            // B's first grant expires: A goes on serving B on the same connection, by the renewed grant B showed it
            long bFirst = onLoop(b, wb.stream::grantExpiresMillis);
            await(() -> expiresAt(b, wb) >= bFirst + LIFETIME_MILLIS, "B's first grant expired, B renewed");
            assertEquals(sessionsAtA + 1, (long) onLoop(a, () -> a.catalog().traffic().sessionsServed()),
                    "B's one connection to A");
            assertEquals(1, (int) onLoop(a, () -> a.catalog().traffic().servingCount()), "A still serves B");

            Revocations.change(revokedFile, B.peerId(), true);
            ExecutionException cut = assertThrows(ExecutionException.class,
                    () -> wb.stream.failure().get(20, TimeUnit.SECONDS));
            StreamFailure f = (StreamFailure) cut.getCause();
            assertEquals(StreamFailure.FORBIDDEN, f.exitStatus(), f.getMessage());
            assertTrue(f.getMessage().contains("may not read it"), f.getMessage());
            await(() -> !b.lookup(NAME).join().found(), "hidden from B at the tracker");
            assertTrue(a.lookup(NAME).get(10, TimeUnit.SECONDS).found(), "still there for A");

            wa.player.result().get(40, TimeUnit.SECONDS);
            assertWholeAndLong(live, wa.out.toByteArray());
        }
    }

    @HostileCase(value = "A flood of GRANT frames mid-connection at a private live publisher: 20 allowed readers"
            + " each send 100 grants as fast as they can, altered ones or valid ones of their own",
            expect = "altered: AUTHENTICATION at the first, after one signature check; valid: two taken, then"
                    + " RATE_LIMITED unread (two at once, then one a second); each then closed, the rest never read;"
                    + " a grantee watching meanwhile plays the stream whole", section = HostileCase.ACCESS)
    void aFloodOfMidConnectionGrantsClosesEachFlooderAndNothingElse(Trial trial) throws Exception {
        try (TestLive live = publish(5_000, null);
             Viewer a = viewer(live, A)) {
            Watching w = watch(a, StreamRequest.of(NAME));
            ContentId id = live.manifest.contentId();
            byte[] valid = Grant.forStream(OWNER, B.peerId(), id, expiry() + 60_000).bytes();
            byte[] altered = valid.clone();
            altered[altered.length - 1] ^= 1;
            int checkedOnce = 0;
            int rateLimited = 0;
            for (int i = 0; i < 20; i++) {
                boolean bad = i % 2 == 0;
                try (RawClient b = reader(live.server.address(), id, null)) {
                    b.sendBytes(flood(bad ? altered : valid, 100));
                    int code = untilError(b).code();
                    assertEquals(bad ? ErrorCode.AUTHENTICATION.code() : ErrorCode.RATE_LIMITED.code(), code,
                            "flooder " + i);
                    checkedOnce += bad ? 1 : 0;
                    rateLimited += bad ? 0 : 1;
                }
            }
            w.player.result().get(40, TimeUnit.SECONDS);
            byte[] bytes = w.out.toByteArray();
            assertTrue(bytes.length > 0 && live.startOf(bytes) >= 0, "A's stream whole: " + live.explain(bytes));
            trial.record("flooders of altered grants closed AUTHENTICATION at the first", checkedOnce);
            trial.record("flooders of valid grants closed RATE_LIMITED after two", rateLimited);
        }
    }

    /** {@code count} GRANT frames of {@code grant}'s bytes, back to back. */
    private static byte[] flood(byte[] grant, int count) {
        ByteBuffer frames = ByteBuffer.allocate(count * (5 + grant.length));
        for (int i = 0; i < count; i++) {
            frames.putInt(1 + grant.length).put((byte) MessageType.GRANT.code()).put(grant);
        }
        return frames.array();
    }

    private static long expiry() {
        return System.currentTimeMillis() + LIFETIME_MILLIS;
    }

    /** B's connection to {@code at} for the stream {@code id}, showing {@code grant} (or none), past its MANIFEST. */
    private static RawClient reader(InetSocketAddress at, ContentId id, Grant grant) throws Exception {
        RawClient c = RawClient.secure(at, 1 << 20, StaticKey.of(B, false));
        if (grant == null) {
            c.send(new Hello(Role.CLIENT, B.peerId(), 0, id));
        } else {
            c.send(new Hello(Role.CLIENT, B.peerId(), 0, id, true), new GrantMessage(grant));
        }
        c.expect(MessageType.HELLO, Hello::decode);
        RawClient.Frame f = c.read();
        if (f.type() == MessageType.GRANT.code()) {
            f = c.read(); // the owner hands an allowed reader its grant before the manifest
        }
        assertEquals(MessageType.MANIFEST.code(), f.type(), f.describe());
        return c;
    }

    /** Reads until an ERROR arrives (then the connection ends). */
    private static ErrorMessage untilError(RawClient c) throws Exception {
        while (true) {
            RawClient.Frame f = c.read();
            if (f.type() == MessageType.ERROR.code()) {
                return ErrorMessage.decode(f.buffer());
            }
        }
    }
}
