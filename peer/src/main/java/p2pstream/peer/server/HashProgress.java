package p2pstream.peer.server;

/**
 * How far a peer-server is in hashing (or reading the cached manifests of) the files it found at start: files and
 * bytes in all and done. Written by the starting thread, read by the pages and metrics meanwhile: thread-safe.
 */
final class HashProgress {
    private volatile long files;
    private volatile long bytes;
    private volatile long filesDone;
    private volatile long bytesDone;

    /** Hashing starts: {@code files} files of {@code bytes} bytes in all. */
    void onStart(long files, long bytes) {
        this.files = files;
        this.bytes = bytes;
    }

    /** A file of {@code size} bytes is hashed (or could not be, and is left out): one thread. */
    void onFileDone(long size) {
        filesDone++;
        bytesDone += size;
    }

    long files() {
        return files;
    }

    long bytes() {
        return bytes;
    }

    long filesDone() {
        return filesDone;
    }

    long bytesDone() {
        return bytesDone;
    }
}
