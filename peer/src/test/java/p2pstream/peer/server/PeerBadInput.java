package p2pstream.peer.server;

import static p2pstream.peer.server.PeerSteps.peerHello;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.ErrorCode;
import p2pstream.peer.store.Manifest;

/**
 * A bad input sent on a fresh connection to a peer-server serving {@code m} (the bytes of {@code file}), and
 * the checks of how it answers. The cases live with the test of their concern; {@link #all()} gathers them.
 */
@FunctionalInterface
interface PeerBadInput {
    void sendAndCheck(RawClient c, Manifest m, byte[] file) throws Exception;

    static Named<PeerBadInput> named(String behaviour, PeerBadInput input) {
        return Named.of(behaviour, input);
    }

    /** The bytes for {@code m} as the first thing on the connection, answered by ERROR {@code code} and a close. */
    static Named<PeerBadInput> first(String behaviour, Function<Manifest, byte[]> bytes, ErrorCode code) {
        return named(behaviour, (c, m, file) -> {
            c.sendBytes(bytes.apply(m));
            c.expectErrorThenEof(code);
        });
    }

    /** The bytes for {@code m} after a good HELLO, answered by ERROR {@code code} and a close. */
    static Named<PeerBadInput> afterHello(String behaviour, Function<Manifest, byte[]> bytes, ErrorCode code) {
        return named(behaviour, (c, m, file) -> {
            peerHello(c, m);
            c.sendBytes(bytes.apply(m));
            c.expectErrorThenEof(code);
        });
    }

    /** Every bad-input case of every concern. */
    static List<Named<PeerBadInput>> all() {
        return Stream.of(PeerServerFramingTest.badFrames(), PeerServerHandshakeTest.badHandshakes(),
                PeerServerChunkIndexTest.badIndexes()).flatMap(s -> s).toList();
    }

    /** Runs a case on a fresh connection; a failure names the case. */
    static void run(Named<PeerBadInput> named, InetSocketAddress server, Manifest m, byte[] file) {
        try (RawClient c = PeerSteps.connect(server)) {
            named.getPayload().sendAndCheck(c, m, file);
        } catch (AssertionError | Exception e) {
            throw new AssertionError(named.getName() + ": " + e.getMessage(), e);
        }
    }
}
