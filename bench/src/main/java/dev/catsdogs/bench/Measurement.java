package dev.catsdogs.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * One JMH result in the harness's terms.
 *
 * @param benchmark {@code Class.method}, without the package (e.g. {@code OrtBenchmark.runRaw})
 * @param params the JMH parameters ({@code batch}, {@code intraOpThreads}, ...)
 * @param threads JMH caller threads
 * @param opsPerSecond the score: operations per second, summed over the caller threads
 * @param error half-width of JMH's 99.9% confidence interval of the score, NaN when it has too few
 *     iterations to tell
 */
public record Measurement(
        String benchmark,
        Map<String, String> params,
        int threads,
        double opsPerSecond,
        double error) {

    public Measurement {
        Objects.requireNonNull(benchmark, "benchmark");
        params = Map.copyOf(params);
    }

    /** Converts JMH's result; the score must be a throughput in ops/s. */
    public static Measurement of(RunResult run) {
        BenchmarkParams p = run.getParams();
        Result<?> primary = run.getPrimaryResult();
        if (!"ops/s".equals(primary.getScoreUnit())) {
            throw new IllegalArgumentException(
                    p.getBenchmark()
                            + " reports "
                            + primary.getScoreUnit()
                            + "; the harness expects throughput in ops/s");
        }
        String full = p.getBenchmark();
        int method = full.lastIndexOf('.');
        int type = full.lastIndexOf('.', method - 1);
        Map<String, String> params = new LinkedHashMap<>();
        for (String key : p.getParamsKeys()) {
            params.put(key, p.getParam(key));
        }
        return new Measurement(
                full.substring(type + 1),
                params,
                p.getThreads(),
                primary.getScore(),
                primary.getScoreError());
    }

    /** An integer parameter, or {@code fallback} if this benchmark has no such parameter. */
    public int intParam(String name, int fallback) {
        String v = params.get(name);
        return v == null ? fallback : Integer.parseInt(v);
    }

    /** Images per operation: the {@code batch} parameter, 1 without one. */
    public int batch() {
        return intParam("batch", 1);
    }

    /** Images per second: {@code ops/s x batch}. */
    public double imagesPerSecond() {
        return opsPerSecond * batch();
    }

    /** The error relative to the score (NaN when unknown). */
    public double relativeError() {
        return error / opsPerSecond;
    }

    /** Whether this is {@code benchmark} with every given {@code name, value} parameter pair. */
    public boolean is(String benchmark, String... nameValues) {
        if (!this.benchmark.equals(benchmark)) {
            return false;
        }
        for (int i = 0; i + 1 < nameValues.length; i += 2) {
            if (!nameValues[i + 1].equals(params.get(nameValues[i]))) {
                return false;
            }
        }
        return true;
    }
}
