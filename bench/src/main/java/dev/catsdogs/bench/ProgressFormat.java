package dev.catsdogs.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;
import java.util.stream.Collectors;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

/**
 * JMH's full human-readable output goes to a log file; the terminal gets one line per benchmark
 * when it starts and one with its score when it ends. Serves several JMH runs: the caller closes
 * the log's stream.
 */
final class ProgressFormat implements OutputFormat {

    private final OutputFormat log;
    private final PrintStream terminal;
    private final int total;
    private final long start = System.nanoTime();
    private int started;

    /**
     * @param log JMH's own format, writing to the log file
     * @param terminal where progress lines go (stderr)
     * @param total number of benchmark configurations, for {@code [i/n]}
     */
    ProgressFormat(OutputFormat log, PrintStream terminal, int total) {
        this.log = log;
        this.terminal = terminal;
        this.total = total;
    }

    @Override
    public void startBenchmark(BenchmarkParams params) {
        log.startBenchmark(params);
        started++;
        String name =
                params.getBenchmark()
                        .substring(
                                params.getBenchmark()
                                                .lastIndexOf(
                                                        '.',
                                                        params.getBenchmark().lastIndexOf('.') - 1)
                                        + 1);
        String values =
                params.getParamsKeys().stream()
                        .map(k -> k + "=" + params.getParam(k))
                        .collect(Collectors.joining(" "));
        terminal.printf(
                Locale.ROOT,
                "bench: [%d/%d %s] %s %s%s ...%n",
                started,
                total,
                elapsed(),
                name,
                values,
                params.getThreads() > 1 ? " callers=" + params.getThreads() : "");
    }

    @Override
    public void endBenchmark(BenchmarkResult result) {
        log.endBenchmark(result);
        if (result == null) {
            terminal.println("bench:   failed; see the log");
            return;
        }
        terminal.printf(
                Locale.ROOT,
                "bench:   %.2f %s%n",
                result.getPrimaryResult().getScore(),
                result.getPrimaryResult().getScoreUnit());
    }

    private String elapsed() {
        long s = (System.nanoTime() - start) / 1_000_000_000L;
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    @Override
    public void iteration(BenchmarkParams benchParams, IterationParams params, int iteration) {
        log.iteration(benchParams, params, iteration);
    }

    @Override
    public void iterationResult(
            BenchmarkParams benchParams,
            IterationParams params,
            int iteration,
            IterationResult data) {
        log.iterationResult(benchParams, params, iteration, data);
    }

    @Override
    public void startRun() {
        log.startRun();
    }

    @Override
    public void endRun(Collection<RunResult> result) {
        log.endRun(result);
    }

    @Override
    public void print(String s) {
        log.print(s);
    }

    @Override
    public void println(String s) {
        log.println(s);
        // JMH reports a failing benchmark's exception through println: show it, not just the log
        if (s.contains("<failure>") || s.contains("Exception") || s.startsWith("ERROR")) {
            terminal.println("bench: " + s);
        }
    }

    @Override
    public void flush() {
        log.flush();
        terminal.flush();
    }

    /** JMH closes its format after every run; the harness runs many, so only flush here. */
    @Override
    public void close() {
        log.flush();
    }

    @Override
    public void verbosePrintln(String s) {
        log.verbosePrintln(s);
    }

    @Override
    public void write(int b) {
        log.write(b);
    }

    @Override
    public void write(byte[] b) throws IOException {
        log.write(b);
    }
}
