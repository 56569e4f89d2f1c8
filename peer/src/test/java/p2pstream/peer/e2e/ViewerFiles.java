package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a viewer process leaves behind, read as a user would: the record of verified chunks beside its output
 * ({@code FILE.p2ps}) and the figures of {@code --stats-json}. Test threads only.
 */
final class ViewerFiles {
    /** Header of the record beside the output: magic, format, content id, chunk count. */
    private static final int RECORD_HEADER_BYTES = 4 + 1 + 32 + 4;

    private ViewerFiles() {
    }

    /** The chunks the record marks as verified; none while it does not exist or is being written. */
    static BitSet verified(Path record) {
        BitSet set = new BitSet();
        try {
            byte[] bytes = Files.exists(record) ? Files.readAllBytes(record) : new byte[0];
            for (int i = RECORD_HEADER_BYTES; i < bytes.length; i++) {
                if (bytes[i] == 1) {
                    set.set(i - RECORD_HEADER_BYTES);
                }
            }
        } catch (IOException e) {
            // the viewer is writing it: none for now, the caller polls again
        }
        return set;
    }

    /** A number field of the stats JSON. */
    static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), key + " missing: " + json);
        return Long.parseLong(m.group(1));
    }

    /** Verified bytes received from peers, summed over the stats JSON's peers. */
    static long fetchedBytes(String json) {
        long fetched = 0;
        Matcher peer = Pattern.compile("\"bytes\": (\\d+), \"sent\"").matcher(json);
        while (peer.find()) {
            fetched += Long.parseLong(peer.group(1));
        }
        return fetched;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
