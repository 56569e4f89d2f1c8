package p2pstream.common.net;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test as one hostile case of docs/ROBUSTNESS.md: it runs once in {@code make test}, and
 * {@code p2pstream.hostile.runs} times under {@code make robustness}, each run recording its outcome and the
 * {@link Trial} figures it measured. The method takes a {@link Trial} parameter. Used by the test threads.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(Trials.class)
@Tag("hostile")
public @interface HostileCase {
    /** Section of the table for floods of connections, frames and slow or greedy peers. */
    String FLOODS = "Floods and slow peers";
    /** Section of the table for processes killed and files or disks failing. */
    String FAULTS = "Faults";
    /** Section of the table for forged, altered and replayed live data. */
    String FORGERIES = "Forged and replayed live data";
    /** Section of the table for the secure transport attacked: records altered on the path, handshakes refused. */
    String TRANSPORT = "The secure transport attacked";
    /** Section of the table for private streams attacked: forged, foreign and floods of grants. */
    String ACCESS = "Private streams attacked";

    /** What is tried, and against which server, as the table's first column shows it. */
    String value();

    /** What must happen for a run to pass. */
    String expect();

    /** {@link #FLOODS}, {@link #FAULTS}, {@link #FORGERIES}, {@link #TRANSPORT} or {@link #ACCESS}. */
    String section();
}
