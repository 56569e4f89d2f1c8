package p2pstream.common.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import p2pstream.common.data.BufferData;
import p2pstream.common.data.FileData;

/**
 * A tiny site on the server's API, as the gateway and pages will use it: {@code /hello} (text), {@code /files/NAME}
 * (a directory's files with ranges, media types and sendfile bodies) and {@code /count} (an endless chunked body
 * of numbered lines, sent only while the connection takes more). Loop threads only, like any handler.
 */
final class DemoRoutes {
    static final String HELLO = "hello, world\n";
    static final int LINES_PER_CHUNK = 64;

    private DemoRoutes() {
    }

    static Router router(Path files) {
        return new Router()
                .exact("/hello", ex -> ex.respond(200, "text/plain; charset=utf-8", HELLO))
                .prefix("/files/", ex -> file(ex, files))
                .exact("/count", DemoRoutes::count);
    }

    /** A file of {@code dir} by its path under /files/: whole, or the range asked for; 404 if it is not there. */
    static void file(HttpExchange ex, Path dir) {
        String name = ex.request().path().substring("/files/".length());
        Path file = dir.resolve(name);
        if (name.isEmpty() || !Files.isRegularFile(file)) {
            ex.respond(404, "text/plain; charset=utf-8", "no such file: " + name + "\n");
            return;
        }
        FileChannel channel;
        long size;
        try {
            channel = FileChannel.open(file);
            size = channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteRange range = ByteRange.parse(ex.request().header("Range"), size);
        HttpHeaders headers = new HttpHeaders().add("Content-Type", MediaTypes.of(name)).add("Accept-Ranges", "bytes");
        if (range == ByteRange.UNSATISFIABLE) {
            close(channel);
            ex.respond(416, headers.add("Content-Range", range.contentRange(size)), 0);
            return;
        }
        if (range != null) {
            headers.add("Content-Range", range.contentRange(size));
        }
        long first = range == null ? 0 : range.first();
        long length = range == null ? size : range.length();
        ex.respond(range == null ? 200 : 206, headers, length);
        ex.send(new FileData(channel, first, length, () -> close(channel)));
        ex.end();
    }

    /** Numbered lines without end, {@link #LINES_PER_CHUNK} a chunk, sent only while the exchange is writable. */
    static void count(HttpExchange ex) {
        ex.respond(200, new HttpHeaders().add("Content-Type", "text/plain; charset=utf-8"), -1);
        new Runnable() {
            private long line;

            @Override
            public void run() {
                while (ex.isWritable()) {
                    StringBuilder chunk = new StringBuilder();
                    for (int i = 0; i < LINES_PER_CHUNK; i++) {
                        chunk.append("line ").append(line++).append('\n');
                    }
                    ex.send(BufferData.of(ByteBuffer.wrap(chunk.toString().getBytes(StandardCharsets.US_ASCII))));
                }
                ex.onWritable(this);
            }
        }.run();
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
