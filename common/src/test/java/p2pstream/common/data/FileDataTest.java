package p2pstream.common.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FileDataTest {
    @TempDir
    Path dir;

    byte[] writeFile(Path file, int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        Files.write(file, bytes);
        return bytes;
    }

    @Test
    void writesAFileRegionToAFileChannelExactly() throws IOException {
        byte[] bytes = writeFile(dir.resolve("src"), 300_000);
        try (FileChannel src = FileChannel.open(dir.resolve("src"));
             FileChannel dst = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE)) {
            FileData data = new FileData(src, 1_234, 250_000);
            assertEquals(250_000, data.remaining());
            while (data.remaining() > 0) {
                assertTrue(data.writeTo(dst) > 0);
            }
            assertEquals(0, data.writeTo(dst), "nothing left to write");
        }
        assertArrayEquals(Arrays.copyOfRange(bytes, 1_234, 251_234), Files.readAllBytes(dir.resolve("dst")));
    }

    @Test
    void copiesARegionIntoRecordSizedBuffersExactlyAndReleasesOnce() throws IOException {
        byte[] bytes = writeFile(dir.resolve("src"), 100_000);
        int[] released = new int[1];
        ByteArrayOutputStream copied = new ByteArrayOutputStream();
        try (FileChannel src = FileChannel.open(dir.resolve("src"))) {
            FileData data = new FileData(src, 1_000, 50_000, () -> released[0]++);
            ByteBuffer record = ByteBuffer.allocateDirect(16 * 1024);
            while (data.remaining() > 0) {
                record.clear();
                int n = data.copyTo(record);
                assertEquals(n, record.position(), "the buffer moved by what was copied");
                byte[] part = new byte[n];
                record.flip().get(part);
                copied.write(part);
            }
            assertEquals(0, data.copyTo(record.clear()));
            assertEquals(1, released[0], "released once, when copied in full");
        }
        assertArrayEquals(Arrays.copyOfRange(bytes, 1_000, 51_000), copied.toByteArray());
    }

    @Test
    void copyingFromATruncatedFileFailsRatherThanReturningNothing() throws IOException {
        writeFile(dir.resolve("src"), 10_000);
        try (FileChannel src = FileChannel.open(dir.resolve("src"))) {
            FileData data = new FileData(src, 0, 20_000);
            ByteBuffer record = ByteBuffer.allocate(16 * 1024);
            assertEquals(10_000, data.copyTo(record), "what the file holds");
            IOException e = assertThrows(IOException.class, () -> data.copyTo(record.clear()));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void releasesOnceWhenWrittenInFullOrWhenDropped() throws IOException {
        writeFile(dir.resolve("src"), 10_000);
        int[] released = new int[2];
        try (FileChannel src = FileChannel.open(dir.resolve("src"));
             FileChannel dst = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE)) {
            FileData written = new FileData(src, 0, 5_000, () -> released[0]++);
            written.writeTo(dst, 4_000);
            assertEquals(0, released[0], "released while bytes remain");
            written.writeTo(dst);
            assertEquals(1, released[0], "released once written in full");
            written.release();
            assertEquals(1, released[0], "released once only");

            FileData dropped = new FileData(src, 0, 5_000, () -> released[1]++);
            dropped.release();
            dropped.release();
            assertEquals(1, released[1], "a dropped region is released once");
        }
    }

    @Test
    void writesAtMostMaxBytes() throws IOException {
        byte[] bytes = writeFile(dir.resolve("src"), 10_000);
        try (FileChannel src = FileChannel.open(dir.resolve("src"));
             FileChannel dst = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE)) {
            FileData data = new FileData(src, 100, 5_000);
            assertEquals(1_000, data.writeTo(dst, 1_000));
            assertEquals(4_000, data.remaining());
            assertEquals(0, data.writeTo(dst, 0));
            assertEquals(4_000, data.writeTo(dst, 1_000_000));
        }
        assertArrayEquals(Arrays.copyOfRange(bytes, 100, 5_100), Files.readAllBytes(dir.resolve("dst")));
    }

    @Test
    @Timeout(30)
    void writesThroughANonBlockingPipeThatFillsUp() throws IOException {
        byte[] bytes = writeFile(dir.resolve("src"), 1_000_000);
        Pipe pipe = Pipe.open();
        pipe.sink().configureBlocking(false);
        pipe.source().configureBlocking(false);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        int partialWrites = 0;
        try (FileChannel src = FileChannel.open(dir.resolve("src")); Pipe.SinkChannel sink = pipe.sink();
             Pipe.SourceChannel source = pipe.source()) {
            FileData data = new FileData(src, 0, bytes.length);
            while (data.remaining() > 0 || received.size() < bytes.length) {
                long before = data.remaining();
                if (before > 0 && data.writeTo(sink) < before) {
                    partialWrites++; // the pipe holds far less than the region: 0 or a part is "try later"
                }
                int n;
                while ((n = source.read(buffer.clear())) > 0) {
                    received.write(buffer.array(), 0, n);
                }
            }
        }
        assertArrayEquals(bytes, received.toByteArray());
        assertTrue(partialWrites > 0, "a 1 MB region cannot fit a pipe in one write");
    }

    @Test
    void returnsZeroWhenTheChannelIsFullAndTheFileIsIntact() throws IOException {
        writeFile(dir.resolve("src"), 100_000);
        Pipe pipe = Pipe.open();
        pipe.sink().configureBlocking(false);
        try (FileChannel src = FileChannel.open(dir.resolve("src")); Pipe.SinkChannel sink = pipe.sink()) {
            ByteBuffer filler = ByteBuffer.allocate(64 * 1024);
            while (sink.write(filler.clear()) > 0) {
                // fill the pipe's buffer
            }
            FileData data = new FileData(src, 0, 100_000);
            assertEquals(0, data.writeTo(sink));
            assertEquals(100_000, data.remaining());
        } finally {
            pipe.source().close();
        }
    }

    @Test
    void failsInsteadOfSpinningWhenTheFileIsTruncatedMidway() throws IOException {
        byte[] bytes = writeFile(dir.resolve("src"), 200_000);
        try (FileChannel src = FileChannel.open(dir.resolve("src"));
             FileChannel dst = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE)) {
            FileData data = new FileData(src, 0, 200_000);
            try (FileChannel truncator = FileChannel.open(dir.resolve("src"), StandardOpenOption.WRITE)) {
                truncator.truncate(50_000);
            }
            IOException failure = null;
            for (int calls = 0; calls < 1_000 && failure == null; calls++) {
                try {
                    data.writeTo(dst);
                } catch (IOException e) {
                    failure = e;
                }
            }
            assertTrue(failure != null, "writeTo kept returning without an error on a truncated file");
            assertTrue(failure.getMessage().contains("truncated"), failure.getMessage());
            assertEquals(150_000, data.remaining());
        }
        assertArrayEquals(Arrays.copyOf(bytes, 50_000), Files.readAllBytes(dir.resolve("dst")));
    }

    @Test
    void failsAtOnceWhenTheRegionStartsPastTheEnd() throws IOException {
        writeFile(dir.resolve("src"), 1_000);
        try (FileChannel src = FileChannel.open(dir.resolve("src"));
             FileChannel dst = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE)) {
            FileData data = new FileData(src, 0, 1_000);
            try (FileChannel truncator = FileChannel.open(dir.resolve("src"), StandardOpenOption.WRITE)) {
                truncator.truncate(0);
            }
            assertThrows(IOException.class, () -> data.writeTo(dst));
            assertThrows(IOException.class, () -> new FileData(src, 5_000, 10).writeTo(dst));
        }
    }

    @Test
    void rejectsNegativeRegionsAndWritesNothingForAnEmptyOne() throws IOException {
        writeFile(dir.resolve("src"), 10);
        try (FileChannel src = FileChannel.open(dir.resolve("src"));
             FileChannel dst = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE)) {
            assertThrows(IllegalArgumentException.class, () -> new FileData(src, -1, 5));
            assertThrows(IllegalArgumentException.class, () -> new FileData(src, 0, -5));
            FileData empty = new FileData(src, 10, 0);
            assertEquals(0, empty.remaining());
            assertEquals(0, empty.writeTo(dst));
        }
    }
}
