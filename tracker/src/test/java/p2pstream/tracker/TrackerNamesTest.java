package p2pstream.tracker;

import static p2pstream.common.net.WireBytes.encoded;
import static p2pstream.common.net.WireBytes.frame;
import static p2pstream.common.wire.ErrorCode.BAD_NAME;
import static p2pstream.common.wire.ErrorCode.MALFORMED;
import static p2pstream.tracker.BadInput.afterHello;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Wire;

/**
 * Stream names the tracker refuses, in ANNOUNCE, LOOKUP and LIST: path tricks get BAD_NAME; control
 * characters, invalid UTF-8 and names over the limit or beyond the frame get MALFORMED. Each then a close.
 */
class TrackerNamesTest extends TrackerFixture {
    static final List<String> PATH_TRICK_NAMES = List.of("../../etc/passwd", "/etc/passwd", "a/../../b", "a//b",
            "..", ".", "", "a/", "./a", "a\\b", "C:/windows", "a/./b");
    static final List<String> CONTROL_CHARACTER_NAMES = List.of("a\u0001b", "evil\nname", "tab\there", "del\u007f",
            "c1\u0085control", "nul\u0000");

    /** An ANNOUNCE payload with raw name bytes (any length field, any bytes). */
    private static byte[] announceWithRawName(int lengthField, byte[] name) {
        ByteBuffer b = ByteBuffer.allocate(32 + 2 + name.length + 8 + 4 + 4 + 4);
        ID.encode(b);
        b.putShort((short) lengthField).put(name);
        b.putLong(SIZE).putInt(CHUNK).putInt(4).putInt(4);
        return frame(MessageType.ANNOUNCE.code(), b.array());
    }

    private static String shown(String name) {
        return name.chars().mapToObj(ch -> ch < 0x20 || ch >= 0x7f ? String.format("\\u%04x", ch)
                : String.valueOf((char) ch)).reduce("", String::concat);
    }

    static Stream<Named<BadInput>> badNames() {
        List<Named<BadInput>> l = new ArrayList<>();
        for (String name : PATH_TRICK_NAMES) {
            l.add(afterHello("announceNamed[" + name + "]GetsBadNameThenClose", encoded(announce(ID, name)), BAD_NAME));
            l.add(afterHello("lookupByName[" + name + "]GetsBadNameThenClose", encoded(Lookup.byName(name, 10)),
                    BAD_NAME));
        }
        // docs/PROTOCOL.md section 2: a str with a control character is MALFORMED (BAD_NAME is for path rules)
        for (String name : CONTROL_CHARACTER_NAMES) {
            l.add(afterHello("announceNamed[" + shown(name) + "]WithControlCharacterGetsMalformedThenClose",
                    encoded(announce(ID, name)), MALFORMED));
            l.add(afterHello("lookupByName[" + shown(name) + "]WithControlCharacterGetsMalformedThenClose",
                    encoded(Lookup.byName(name, 10)), MALFORMED));
        }
        String tooLong = "x".repeat(Wire.MAX_NAME_BYTES + 1);
        byte[] overlongSlash = {'a', (byte) 0xc0, (byte) 0xaf, 'b'};
        l.add(afterHello("announceWithNameOverMaxBytesGetsMalformedThenClose", encoded(announce(ID, tooLong)),
                MALFORMED));
        l.add(afterHello("announceWithInvalidUtf8NameGetsMalformedThenClose",
                announceWithRawName(overlongSlash.length, overlongSlash), MALFORMED));
        l.add(afterHello("announceWithNameLengthBeyondTheFrameGetsMalformedThenClose",
                announceWithRawName(60_000, "movie".getBytes(StandardCharsets.UTF_8)), MALFORMED));
        l.add(afterHello("listWithControlCharacterFilterGetsMalformedThenClose",
                encoded(new ListStreams("a\u0000b", 10)), MALFORMED));
        l.add(afterHello("listWithFilterOverMaxBytesGetsMalformedThenClose", encoded(new ListStreams(tooLong, 10)),
                MALFORMED));
        return l.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badNames")
    @Timeout(30)
    void badInputGetsItsErrorThenCloseAndLeavesNothingBehind(BadInput badInput) throws Exception {
        assertAnsweredLeavingNothingBehind(badInput);
    }
}
