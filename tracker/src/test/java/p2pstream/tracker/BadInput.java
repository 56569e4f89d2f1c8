package p2pstream.tracker;

import static p2pstream.tracker.TrackerFixture.LISTEN_PORT;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.ErrorCode;

/**
 * A bad input sent on a fresh connection to the tracker, and the checks of how the tracker answers it. The
 * cases live with the test of their concern; {@link #all()} gathers them for the tests that run every kind.
 */
@FunctionalInterface
interface BadInput {
    void sendAndCheck(RawClient c) throws Exception;

    static Named<BadInput> named(String behaviour, BadInput input) {
        return Named.of(behaviour, input);
    }

    /** {@code bytes} as the first thing on the connection, answered by ERROR {@code code} and a close. */
    static Named<BadInput> first(String behaviour, byte[] bytes, ErrorCode code) {
        return named(behaviour, c -> {
            c.sendBytes(bytes);
            c.expectErrorThenEof(code);
        });
    }

    /** {@code bytes} after a good HELLO, answered by ERROR {@code code} and a close. */
    static Named<BadInput> afterHello(String behaviour, byte[] bytes, ErrorCode code) {
        return named(behaviour, c -> {
            c.trackerHello(LISTEN_PORT);
            c.sendBytes(bytes);
            c.expectErrorThenEof(code);
        });
    }

    /** Every bad-input case of every concern. */
    static List<Named<BadInput>> all() {
        return Stream.of(TrackerFramingTest.badFrames(), TrackerHandshakeTest.badHandshakes(),
                TrackerNamesTest.badNames(), TrackerRequestFieldsTest.badFields()).flatMap(s -> s).toList();
    }

    /** Runs a case on a fresh connection; a failure names the case. */
    static void run(Named<BadInput> named, InetSocketAddress tracker) {
        try (RawClient c = RawClient.secure(tracker)) {
            named.getPayload().sendAndCheck(c);
        } catch (AssertionError | Exception e) {
            throw new AssertionError(named.getName() + ": " + e.getMessage(), e);
        }
    }
}
