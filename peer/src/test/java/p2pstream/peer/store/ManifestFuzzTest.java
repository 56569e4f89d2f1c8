package p2pstream.peer.store;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import p2pstream.common.fuzz.DecodeCheck;
import p2pstream.common.fuzz.FuzzTarget;
import p2pstream.common.fuzz.FuzzedDraw;
import p2pstream.common.fuzz.ValidMessages;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Wire;

/**
 * Fuzzing of the manifest decoder for the properties {@link DecodeCheck} states (only ProtocolException, allocation
 * in proportion to the input, canonical encoding). The id it is checked against is usually the SHA-256 of the bytes
 * themselves, so damage reaches the parsing instead of stopping at the id check. The {@code @FuzzTest} is Jazzer's
 * coverage-guided run, in its own fork for {@code fuzz.manifest.seconds} (see the pom); the seeded run is the same
 * without instrumentation. Add a manifest codec as one more entry in {@link #TARGETS}.
 */
class ManifestFuzzTest {
    static final List<FuzzTarget<?>> TARGETS = List.of(fileManifest(), liveManifest());
    /** Real Ed25519 keys, made once: generating one per input would dominate the run. */
    private static final List<byte[]> KEYS = List.of(PublisherKey.generate().publicKey(),
            PublisherKey.generate().publicKey(), PublisherKey.generate().publicKey());

    private static final int SEEDED_RUNS_PER_DECODER = 400;
    private static final DecodeCheck JAZZER = new DecodeCheck(TARGETS, DecodeCheck.INSTRUMENTED_BYTES_PER_INPUT_BYTE);
    private static final long START_NANOS = System.nanoTime();

    /**
     * A file manifest's fields; {@code expected} is the content id to decode against, null for the SHA-256 of the
     * bytes themselves (made beforehand: the allocation check counts what the decode step allocates).
     */
    record FileManifest(String name, long size, int chunkSize, byte[] hashes, ContentId expected) {
        Manifest manifest() {
            return new Manifest(name, size, chunkSize, hashes);
        }

        @Override
        public String toString() {
            return "FileManifest[" + name + ", " + size + ", " + chunkSize + ", " + hashes.length / Manifest.HASH_BYTES
                    + " hashes]";
        }
    }

    static FuzzTarget<FileManifest> fileManifest() {
        return FuzzTarget.of("file manifest", Manifest.MAX_ENCODED_BYTES,
                draw -> {
                    int chunkSize = ValidMessages.chunkSize(draw);
                    int count = draw.oneIn(256) ? draw.between(0, Wire.MAX_CHUNK_COUNT) : draw.between(0, 40);
                    long size = count == 0 ? 0 : (long) (count - 1) * chunkSize + draw.between(1, chunkSize);
                    FileManifest m = new FileManifest(ValidMessages.name(draw, Wire.MAX_NAME_BYTES), size, chunkSize,
                            draw.bytes(count * Manifest.HASH_BYTES), null);
                    return draw.oneIn(16)
                            ? new FileManifest(m.name(), size, chunkSize, m.hashes(), m.manifest().contentId()) : m;
                },
                m -> m.manifest().encoded(),
                (base, in) -> {
                    byte[] bytes = new byte[in.remaining()];
                    in.get(bytes);
                    ContentId id = base.expected() != null ? base.expected()
                            : ContentId.of(Manifest.sha256().digest(bytes));
                    Manifest m = Manifest.decode(bytes, id);
                    byte[] hashes = Arrays.copyOfRange(bytes, bytes.length - m.chunkCount() * Manifest.HASH_BYTES,
                            bytes.length);
                    byte[] hash = new byte[Manifest.HASH_BYTES];
                    for (int i = 0; i < m.chunkCount(); i++) {
                        System.arraycopy(hashes, i * Manifest.HASH_BYTES, hash, 0, hash.length);
                        if (!m.matches(i, hash)) {
                            throw new AssertionError("manifest: chunk " + i + "'s hash is not the one on the wire");
                        }
                    }
                    if (!m.contentId().equals(id)) {
                        throw new AssertionError("manifest: content id " + m.contentId() + " (expected: " + id + ")");
                    }
                    return new FileManifest(m.name(), m.size(), m.chunkSize(), hashes, base.expected());
                });
    }

    /** A live manifest's fields, decoded against the SHA-256 of its own bytes. */
    record LiveFields(String name, int chunkSize, byte[] key, long started) {
        @Override
        public String toString() {
            return "LiveManifest[" + name + ", " + chunkSize + "]";
        }
    }

    static FuzzTarget<LiveFields> liveManifest() {
        return FuzzTarget.of("live manifest", 1 + 2 + Wire.MAX_NAME_BYTES + 4 + LiveManifest.KEY_BYTES + 8 + 16,
                draw -> new LiveFields(ValidMessages.name(draw, Wire.MAX_NAME_BYTES), ValidMessages.chunkSize(draw),
                        KEYS.get(draw.below(KEYS.size())), draw.anyLong()),
                f -> new LiveManifest(f.name(), f.chunkSize(), f.key(), f.started()).encoded(),
                (base, in) -> {
                    byte[] bytes = new byte[in.remaining()];
                    in.get(bytes);
                    LiveManifest m = LiveManifest.decode(bytes, ContentId.of(Manifest.sha256().digest(bytes)));
                    return new LiveFields(m.name(), m.chunkSize(), m.publicKey(), m.startedMicros());
                });
    }

    @FuzzTest(maxDuration = "3s")
    void manifestDecodingFailsOnlyWithProtocolExceptionAndReencodesWhatItTakes(FuzzedDataProvider data) {
        JAZZER.run(new FuzzedDraw(data));
    }

    @Test
    void manifestDecodingHoldsTheSamePropertiesOnSeededRandomInputs() {
        DecodeCheck.runSeeded(TARGETS, 20261124L, SEEDED_RUNS_PER_DECODER);
    }

    @AfterAll
    static void report() {
        if (JAZZER.runs() > 0) {
            System.out.print("ManifestFuzzTest: Jazzer ran " + (System.nanoTime() - START_NANOS) / 1_000_000 + " ms "
                    + JAZZER.summary());
        }
    }

}
