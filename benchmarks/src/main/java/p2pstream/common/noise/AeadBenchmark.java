package p2pstream.common.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JDK's two Noise ciphers on one record, as the record layer calls them: a fresh nonce per record, direct
 * buffers in and out, one {@code doFinal}. Chooses the cipher (AES-GCM or ChaCha20-Poly1305) and the largest
 * record (the AES-GCM intrinsic works on a bounded span per call; larger single calls can be slower per byte).
 * Score: ns per record; MB/s = record bytes / score * 1000.
 *
 * <pre>java -jar dist/benchmarks.jar AeadBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AeadBenchmark {
    private static final int TAG_BYTES = 16;

    @Param({"AES/GCM/NoPadding", "ChaCha20-Poly1305"})
    public String cipher;

    @Param({"16384", "65536", "1048576"})
    public int recordBytes;

    private Cipher sealer;
    private Cipher opener;
    private SecretKeySpec key;
    private ByteBuffer plain;
    private ByteBuffer sealed;
    private final ByteBuffer[] records = new ByteBuffer[2];
    private final AlgorithmParameterSpec[] recordNonces = new AlgorithmParameterSpec[2];
    private ByteBuffer opened;
    private long nonce;
    private int turn;

    @Setup
    public void setup() throws GeneralSecurityException {
        SplittableRandom random = new SplittableRandom(42);
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) random.nextInt();
        }
        String algorithm = cipher.startsWith("AES") ? "AES" : "ChaCha20";
        key = new SecretKeySpec(k, algorithm);
        sealer = Cipher.getInstance(cipher);
        opener = Cipher.getInstance(cipher);
        plain = ByteBuffer.allocateDirect(recordBytes);
        for (int i = 0; i < recordBytes; i++) {
            plain.put(i, (byte) random.nextInt());
        }
        sealed = ByteBuffer.allocateDirect(recordBytes + TAG_BYTES);
        opened = ByteBuffer.allocateDirect(recordBytes + TAG_BYTES);
        // two records sealed once, opened in turn: the JDK's ChaCha20 refuses the same nonce twice in a row even
        // to open, which a real receiver never asks
        for (int i = 0; i < 2; i++) {
            recordNonces[i] = nonce(Long.MAX_VALUE - i);
            records[i] = ByteBuffer.allocateDirect(recordBytes + TAG_BYTES);
            sealer.init(Cipher.ENCRYPT_MODE, key, recordNonces[i]);
            sealer.doFinal(plain.duplicate(), records[i]);
            records[i].flip();
        }
    }

    private AlgorithmParameterSpec nonce(long n) {
        byte[] iv = new byte[12];
        for (int i = 0; i < 8; i++) {
            iv[4 + i] = (byte) (n >>> (56 - 8 * i));
        }
        return cipher.startsWith("AES") ? new GCMParameterSpec(TAG_BYTES * 8, iv) : new IvParameterSpec(iv);
    }

    @Benchmark
    public int seal() throws GeneralSecurityException {
        sealer.init(Cipher.ENCRYPT_MODE, key, nonce(nonce++));
        sealed.clear();
        return sealer.doFinal(plain.duplicate(), sealed);
    }

    @Benchmark
    public int open() throws GeneralSecurityException {
        turn ^= 1;
        opener.init(Cipher.DECRYPT_MODE, key, recordNonces[turn]);
        opened.clear();
        return opener.doFinal(records[turn].duplicate(), opened);
    }
}
