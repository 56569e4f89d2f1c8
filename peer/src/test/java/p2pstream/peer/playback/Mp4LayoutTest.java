package p2pstream.peer.playback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.peer.Ffmpeg;
import p2pstream.peer.playback.Mp4Layout.Verdict;

/**
 * The top-level box walk that tells whether an MP4's index (moov) comes before its media (mdat), on crafted and real
 * files.
 */
class Mp4LayoutTest {
    @TempDir
    Path dir;

    /** Boxes written one after another; bodies are zeros. */
    private static final class Boxes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Boxes box(String type, int bodyBytes) {
            ByteBuffer h = ByteBuffer.allocate(8).putInt(8 + bodyBytes).put(type.getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(h.array());
            out.writeBytes(new byte[bodyBytes]);
            return this;
        }

        /** A box with a 64-bit size: size field 1, then the size counting the 16-byte header. */
        Boxes largeBox(String type, long size, int bodyBytesWritten) {
            ByteBuffer h = ByteBuffer.allocate(16).putInt(1).put(type.getBytes(StandardCharsets.ISO_8859_1))
                    .putLong(size);
            out.writeBytes(h.array());
            out.writeBytes(new byte[bodyBytesWritten]);
            return this;
        }

        Boxes raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static Verdict walk(byte[] bytes) {
        return new Mp4Layout().feed(ByteBuffer.wrap(bytes));
    }

    /** The same bytes fed in pieces of {@code piece}, as chunks and partial writes cut them. */
    private static Verdict walkInPieces(byte[] bytes, int piece) {
        Mp4Layout layout = new Mp4Layout();
        for (int i = 0; i < bytes.length && layout.verdict() == Verdict.UNDECIDED; i += piece) {
            layout.feed(ByteBuffer.wrap(bytes, i, Math.min(piece, bytes.length - i)));
        }
        return layout.verdict();
    }

    @Test
    void mdatBeforeMoovIsMediaFirstAndMoovBeforeMdatIsIndexFirst() {
        byte[] mediaFirst = new Boxes().box("ftyp", 24).box("free", 0).box("mdat", 5000).box("moov", 300).bytes();
        byte[] indexFirst = new Boxes().box("ftyp", 24).box("moov", 300).box("mdat", 5000).bytes();
        assertEquals(Verdict.MDAT_FIRST, walk(mediaFirst));
        assertEquals(Verdict.MOOV_FIRST, walk(indexFirst));
        for (int piece : new int[] {1, 3, 7, 16, 4096}) {
            assertEquals(Verdict.MDAT_FIRST, walkInPieces(mediaFirst, piece), "pieces of " + piece);
            assertEquals(Verdict.MOOV_FIRST, walkInPieces(indexFirst, piece), "pieces of " + piece);
        }
    }

    @Test
    void aBoxWithA64BitSizeIsSkippedByThatSize() {
        byte[] bytes = new Boxes().box("ftyp", 16).largeBox("free", 16 + 100, 100).box("moov", 8).bytes();
        assertEquals(Verdict.MOOV_FIRST, walk(bytes));
        assertEquals(Verdict.MOOV_FIRST, walkInPieces(bytes, 5));
        assertEquals(Verdict.MDAT_FIRST, walk(new Boxes().box("ftyp", 16).largeBox("mdat", 1L << 33, 0).bytes()));
    }

    @Test
    void anOldQuickTimeFileWithoutFtypIsRecognisedByItsFirstBox() {
        assertEquals(Verdict.MDAT_FIRST, walk(new Boxes().box("wide", 0).box("mdat", 100).bytes()));
        assertEquals(Verdict.MOOV_FIRST, walk(new Boxes().box("moov", 100).bytes()));
    }

    @Test
    void otherStreamsAreNotMp4() {
        byte[] ts = new byte[188 * 4];
        for (int i = 0; i < ts.length; i += 188) {
            ts[i] = 0x47; // MPEG-TS sync bytes
        }
        assertEquals(Verdict.OTHER, walk(ts));
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        assertEquals(Verdict.OTHER, walk(noise));
        assertEquals(Verdict.OTHER, walk(new Boxes().box("abcd", 10).box("mdat", 10).bytes()), "an unknown first box");
        assertEquals(Verdict.UNDECIDED, walk(new Boxes().box("ftyp", 24).bytes()), "nothing said yet");
    }

    @Test
    void hostileHeadersEndTheWalkWithoutAVerdict() {
        ByteBuffer tooSmall = ByteBuffer.allocate(16).putInt(3).put("ftyp".getBytes(StandardCharsets.ISO_8859_1))
                .putLong(0);
        assertEquals(Verdict.OTHER, walk(tooSmall.array()), "a 32-bit size under 8");
        assertEquals(Verdict.OTHER, walk(new Boxes().box("ftyp", 8).largeBox("free", 8, 0).box("moov", 0).bytes()),
                "a 64-bit size under its 16-byte header");
        assertEquals(Verdict.OTHER, walk(new Boxes().box("ftyp", 8).largeBox("free", -1L, 0).box("moov", 0).bytes()),
                "a 64-bit size above 2^63");
        assertEquals(Verdict.OTHER, walk(new Boxes().box("ftyp", 8).largeBox("free", Long.MAX_VALUE, 0).bytes()),
                "a box reaching beyond what is looked at");
        assertEquals(Verdict.OTHER,
                walk(new Boxes().box("ftyp", 8).raw(new byte[] {0, 0, 0, 8, 'f', 'r', 0x01, 'e'}).bytes()),
                "a type with a control character");
        ByteBuffer toEnd = ByteBuffer.allocate(8).putInt(0).put("free".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(Verdict.OTHER, walk(new Boxes().box("ftyp", 8).raw(toEnd.array()).box("moov", 0).bytes()),
                "a box running to the end: nothing follows it");
        Boxes many = new Boxes().box("ftyp", 8);
        for (int i = 0; i < Mp4Layout.MAX_BOXES + 10; i++) {
            many.box("free", 0);
        }
        assertEquals(Verdict.OTHER, walk(many.box("moov", 0).bytes()), "more boxes than any real file starts with");
    }

    @Test
    void theBufferFedIsLeftAsItWas() {
        ByteBuffer b = ByteBuffer.wrap(new Boxes().box("ftyp", 8).box("mdat", 8).bytes());
        new Mp4Layout().feed(b);
        assertEquals(0, b.position());
    }

    @Test
    @Timeout(300)
    void anMp4FromFfmpegHasItsIndexLastUnlessMadeWithFaststart() throws Exception {
        Ffmpeg.ensure(dir);
        byte[] plain = Files.readAllBytes(Ffmpeg.mp4(dir.resolve("plain.mp4"), 2, false));
        byte[] faststart = Files.readAllBytes(Ffmpeg.mp4(dir.resolve("faststart.mp4"), 2, true));
        // fed as a viewer's player writes: one 256 KiB chunk at a time
        assertEquals(Verdict.MDAT_FIRST, walkInPieces(plain, 256 * 1024));
        assertEquals(Verdict.MOOV_FIRST, walkInPieces(faststart, 256 * 1024));
    }
}
