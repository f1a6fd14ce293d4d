package dev.catsdogs.bench.footprint;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What installing and starting the classifier costs, as {@code ./catsdogs bench-footprint} measures
 * it.
 *
 * @param depsMib an application's whole dependency set on {@code inference-linux-x86_64}, MiB
 * @param fullDepsMib the same on {@code inference} (every platform's natives), MiB
 * @param distMib the command line's tarball, MiB
 * @param startMs median milliseconds from a new JVM's {@code ImageClassifier.builder(...).build()}
 *     to its first prediction
 * @param tmpFilesLeft files and directories left in {@code java.io.tmpdir} / {@code TMPDIR} by
 *     classifying applications, after normal runs and after one killed with SIGKILL
 */
public record Footprint(
        double depsMib, double fullDepsMib, double distMib, long startMs, long tmpFilesLeft) {

    /** The budget for {@link #depsMib}. */
    static final double DEPS_BUDGET_MIB = 40;

    /** The one line the command ends with. */
    public String line() {
        return String.format(
                Locale.ROOT,
                "footprint: deps_mb=%.1f full_deps_mb=%.1f dist_mb=%.1f start_ms=%d"
                        + " tmp_files_left=%d",
                depsMib,
                fullDepsMib,
                distMib,
                startMs,
                tmpFilesLeft);
    }

    /** One {@code target ...: met|MISSED} line per target, as the other benchmarks print them. */
    public List<String> targets() {
        List<String> lines = new ArrayList<>();
        lines.add(
                String.format(
                        Locale.ROOT,
                        "target deps_mb <= %.0f: %.1f %s",
                        DEPS_BUDGET_MIB,
                        depsMib,
                        depsMib <= DEPS_BUDGET_MIB ? "met" : "MISSED"));
        lines.add(
                String.format(
                        Locale.ROOT,
                        "target tmp_files_left = 0: %d %s",
                        tmpFilesLeft,
                        tmpFilesLeft == 0 ? "met" : "MISSED"));
        return lines;
    }
}
