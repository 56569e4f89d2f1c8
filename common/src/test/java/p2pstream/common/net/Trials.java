package p2pstream.common.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.opentest4j.TestAbortedException;

/**
 * Runs each {@link HostileCase} {@code -Dp2pstream.hostile.runs=N} times (default 1) and, when
 * {@code -Dp2pstream.hostile.out=DIR} is set, appends one tab-separated line per run to {@code DIR/<class>.tsv}:
 * case, section, title, expectation, run, outcome (pass, fail or skip), milliseconds, failure message, then
 * the {@link Trial} figures as {@code name=value}. scripts/RobustnessTable.java turns the lines into
 * docs/ROBUSTNESS.md. Called by JUnit on the test threads.
 */
public final class Trials implements TestTemplateInvocationContextProvider {
    static final String RUNS_PROPERTY = "p2pstream.hostile.runs";
    static final String OUT_PROPERTY = "p2pstream.hostile.out";

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(HostileCase.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        int runs = Integer.getInteger(RUNS_PROPERTY, 1);
        if (runs < 1) {
            throw new IllegalArgumentException(RUNS_PROPERTY + ": " + runs + " (expected: >= 1)");
        }
        return IntStream.rangeClosed(1, runs).mapToObj(run -> new Run(run, runs));
    }

    /** One run: hands the test a fresh {@link Trial} and writes the outcome line when the test ends. */
    private static final class Run implements TestTemplateInvocationContext, ParameterResolver,
            BeforeTestExecutionCallback, AfterTestExecutionCallback {
        private final int run;
        private final int runs;
        private final Trial trial = new Trial();
        private long startNanos;

        Run(int run, int runs) {
            this.run = run;
            this.runs = runs;
        }

        @Override
        public String getDisplayName(int invocationIndex) {
            return runs == 1 ? "hostile case" : "run " + run + " of " + runs;
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(this);
        }

        @Override
        public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
            return p.getParameter().getType() == Trial.class;
        }

        @Override
        public Object resolveParameter(ParameterContext p, ExtensionContext e) {
            return trial;
        }

        @Override
        public void beforeTestExecution(ExtensionContext context) {
            startNanos = System.nanoTime();
        }

        @Override
        public void afterTestExecution(ExtensionContext context) {
            String out = System.getProperty(OUT_PROPERTY);
            if (out == null || out.isBlank()) {
                return;
            }
            long millis = (System.nanoTime() - startNanos) / 1_000_000;
            Throwable failure = context.getExecutionException().orElse(null);
            String outcome = failure == null ? "pass" : failure instanceof TestAbortedException ? "skip" : "fail";
            Method m = context.getRequiredTestMethod();
            HostileCase c = m.getAnnotation(HostileCase.class);
            StringBuilder line = new StringBuilder();
            String id = m.getDeclaringClass().getSimpleName() + "." + m.getName();
            for (Object field : List.of(id, c.section(), c.value(), c.expect(), run, outcome, millis,
                    failure == null ? "" : String.valueOf(failure.getMessage()))) {
                line.append(clean(String.valueOf(field))).append('\t');
            }
            for (Map.Entry<String, Double> f : trial.figures().entrySet()) {
                line.append(f.getKey()).append('=').append(f.getValue()).append('\t');
            }
            line.setLength(line.length() - 1);
            line.append('\n');
            try {
                Path dir = Files.createDirectories(Path.of(out));
                Files.writeString(dir.resolve(m.getDeclaringClass().getSimpleName() + ".tsv"), line,
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record the hostile run in " + out, e);
            }
        }

        /** One line, no tabs: a failure message may span lines. */
        private static String clean(String s) {
            String oneLine = s.replaceAll("[\\t\\r\\n]+", " ").trim();
            return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
        }
    }
}
