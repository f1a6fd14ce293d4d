package dev.catsdogs.bench;

import dev.catsdogs.bench.jmh.ConcurrencyBenchmark;
import dev.catsdogs.bench.jmh.DjlBenchmark;
import dev.catsdogs.bench.jmh.EndToEndBenchmark;
import dev.catsdogs.bench.jmh.OpenCvDnnBenchmark;
import dev.catsdogs.bench.jmh.OrtBenchmark;
import dev.catsdogs.bench.jmh.PeakFlopsBenchmark;
import dev.catsdogs.bench.jmh.PreprocessBenchmark;
import dev.catsdogs.inference.internal.Arguments;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * How much to measure, and in which order: JMH forks, warm-up and measurement iterations, the
 * benchmark configurations ({@link Step}s), and how many classifications the memory check makes.
 *
 * <p>The order matters on a machine whose speed drifts: the configurations the ratios compare run
 * back to back, first ({@link #RATIO_STEPS}), then the rest of the grid.
 *
 * @param name {@code full}, {@code quick} or {@code smoke}
 * @param forks JMH forks per configuration (0 runs in this JVM)
 * @param warmupIterations warm-up iterations per fork
 * @param warmupTime length of a warm-up iteration
 * @param iterations measurement iterations per fork
 * @param iterationTime length of a measurement iteration
 * @param steps the configurations, in the order they run
 * @param memoryClassifications classifications of the memory check
 * @param profiledRuns runs of each model under ONNX Runtime's profiler (the kernel lines; 0 skips)
 */
public record BenchPlan(
        String name,
        int forks,
        int warmupIterations,
        TimeValue warmupTime,
        int iterations,
        TimeValue iterationTime,
        List<Step> steps,
        long memoryClassifications,
        int profiledRuns) {

    /** Every benchmark class. */
    public static final List<Class<?>> BENCHMARKS =
            List.of(
                    OrtBenchmark.class,
                    EndToEndBenchmark.class,
                    ConcurrencyBenchmark.class,
                    DjlBenchmark.class,
                    OpenCvDnnBenchmark.class,
                    PeakFlopsBenchmark.class,
                    PreprocessBenchmark.class);

    private static final Step RAW = raw(Precision.FP32);
    private static final Step RAW_INT8 = raw(Precision.INT8);
    private static final Step E2E = endToEnd(Precision.FP32);
    private static final Step E2E_INT8 = endToEnd(Precision.INT8);
    private static final Step TWO_CALLERS = Step.of(ConcurrencyBenchmark.class, "twoCallers");

    // The rows the close ratios compare, in run order.
    private static final List<Step> CLOSE_CALLS =
            List.of(RAW, RAW_INT8, E2E, E2E_INT8, TWO_CALLERS);

    /**
     * The configurations the ratio line and the targets need, in run order: ONNX Runtime alone and
     * end to end at batch 1 (float, then int8) right after each other, then 2 callers, the peers,
     * the peak, and preprocessing.
     */
    static final List<Step> RATIO_STEPS =
            concat(
                    CLOSE_CALLS,
                    List.of(
                            Step.of(DjlBenchmark.class, "predict", "batch", "1", "threads", "1"),
                            Step.of(
                                    OpenCvDnnBenchmark.class,
                                    "forward",
                                    "batch",
                                    "1",
                                    "threads",
                                    "1"),
                            Step.of(
                                    PeakFlopsBenchmark.class,
                                    "matmul",
                                    "intraOpThreads",
                                    "2",
                                    "size",
                                    "" + PeakMatMul.DEFAULT_SIZE),
                            Step.of(
                                    PeakFlopsBenchmark.class,
                                    "matmul",
                                    "intraOpThreads",
                                    "1",
                                    "size",
                                    "" + PeakMatMul.DEFAULT_SIZE),
                            Step.of(PreprocessBenchmark.class, "jpegToTensor")));

    /**
     * The full run measures the close calls twice, mirrored ({@code raw, raw int8, e2e, e2e int8, 2
     * callers, 2 callers, e2e int8, e2e, raw int8, raw}): e2e_over_raw (target 1.15), 2 callers
     * over 1 (target 1.7) and int8 over fp32 compare rows whose difference is of the size of this
     * machine's drift, and a mirrored order cancels a drift that is linear over those minutes. The
     * two runs of a configuration are merged as two forks.
     */
    static final List<Step> MIRRORED = concat(CLOSE_CALLS, reversed(CLOSE_CALLS));

    private static List<Step> concat(List<Step> first, List<Step> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }

    private static List<Step> reversed(List<Step> steps) {
        List<Step> reversed = new ArrayList<>(steps);
        Collections.reverse(reversed);
        return reversed;
    }

    /** ONNX Runtime alone at batch 1 on one thread: the raw side of the ratios. */
    private static Step raw(String precision) {
        return batchOneOneThread(OrtBenchmark.class, "runRaw", precision);
    }

    /** End to end at batch 1 on one thread: the other side. */
    private static Step endToEnd(String precision) {
        return batchOneOneThread(EndToEndBenchmark.class, "classify", precision);
    }

    private static Step batchOneOneThread(Class<?> benchmark, String method, String precision) {
        return Step.of(
                benchmark, method, "batch", "1", "intraOpThreads", "1", Precision.PARAM, precision);
    }

    public BenchPlan {
        steps = List.copyOf(steps);
    }

    /**
     * One benchmark configuration: a JMH benchmark method with one value per parameter.
     *
     * @param type the benchmark class
     * @param method the {@code @Benchmark} method
     * @param params one value for each of the class's {@code @Param} fields
     */
    public record Step(Class<?> type, String method, Map<String, String> params) {

        public Step {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(method, "method");
            params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }

        static Step of(Class<?> type, String method, String... nameValues) {
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i + 1 < nameValues.length; i += 2) {
                params.put(nameValues[i], nameValues[i + 1]);
            }
            return new Step(type, method, params);
        }

        /** {@code Class.method}, as {@link Measurement#benchmark()} names it. */
        public String benchmark() {
            return type.getSimpleName() + "." + method;
        }

        /** JMH's include pattern for exactly this method. */
        String includeRegex() {
            return "^" + Pattern.quote(type.getName() + "." + method) + "$";
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(benchmark());
            params.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
            return s.toString();
        }
    }

    /**
     * The default run, about 30 minutes on 2 cores: every configuration of the grid (31 with an
     * int8 model, 21 without; five of them twice, see {@link #MIRRORED}), one fork per run, 3
     * warm-up iterations of 3 s and 5 measured ones of 5 s (about 35 s a run with the fork's start:
     * 21 minutes), then 100k classifications from 2 threads for the memory check (about 8 minutes),
     * and 200 profiled runs per model for the kernel lines (seconds). One fork per run is a
     * deliberate trade for the time budget; this machine's speed drifts by 10-20% over tens of
     * seconds.
     */
    public static BenchPlan full() {
        return new BenchPlan(
                "full",
                1,
                3,
                TimeValue.seconds(3),
                5,
                TimeValue.seconds(5),
                ordered(),
                100_000,
                200);
    }

    /**
     * A smoke-sized run, about 2.5 minutes: only the configurations the ratios need (batch 1; the
     * close ones mirrored, as in the full run), one warm-up iteration of 1 s and two measured ones
     * of 1 s, 2,000 classifications for the memory check, 100 profiled runs per model.
     */
    public static BenchPlan quick() {
        return new BenchPlan(
                "quick",
                1,
                1,
                TimeValue.seconds(1),
                2,
                TimeValue.seconds(1),
                ratioRuns(),
                2_000,
                100);
    }

    /**
     * For CI: in this JVM, no warm-up, one 100 ms iteration, 3 profiled runs; proves the harness,
     * not the speed.
     */
    public static BenchPlan smoke() {
        return new BenchPlan(
                "smoke",
                0,
                0,
                TimeValue.milliseconds(100),
                1,
                TimeValue.milliseconds(100),
                ratioRuns(),
                200,
                3);
    }

    /** The same plan with another number of memory-check classifications (0 skips the check). */
    public BenchPlan withMemoryClassifications(long count) {
        if (count < 0) {
            throw Arguments.received("memoryClassifications", count, ">= 0");
        }
        return new BenchPlan(
                name,
                forks,
                warmupIterations,
                warmupTime,
                iterations,
                iterationTime,
                steps,
                count,
                profiledRuns);
    }

    /** The same plan with only the steps whose {@code Class.method} matches {@code regex}. */
    public BenchPlan including(Pattern regex) {
        return keeping(s -> regex.matcher(s.benchmark()).find());
    }

    /** The same plan without the int8 configurations (when there is no int8 model). */
    public BenchPlan withoutInt8() {
        return keeping(s -> !Precision.INT8.equals(s.params().get(Precision.PARAM)));
    }

    /** The same plan without the steps of {@code type}. */
    public BenchPlan without(Class<?> type) {
        return keeping(s -> s.type() != type);
    }

    private BenchPlan keeping(Predicate<Step> kept) {
        return new BenchPlan(
                name,
                forks,
                warmupIterations,
                warmupTime,
                iterations,
                iterationTime,
                steps.stream().filter(kept).toList(),
                memoryClassifications,
                profiledRuns);
    }

    /** For the header: {@code 20 runs of 17 configurations, 1 fork each, warm-up 3 x 3 s, ...}. */
    public String describe() {
        long distinct = steps.stream().distinct().count();
        return (distinct == steps.size()
                        ? distinct + (distinct == 1 ? " configuration, " : " configurations, ")
                        : steps.size()
                                + " runs of "
                                + distinct
                                + " configurations (the batch-1 runs the ratios compare"
                                + " twice, mirrored), ")
                + (forks == 0
                        ? "no fork (in this JVM)"
                        : forks + (forks == 1 ? " fork" : " forks") + " each")
                + ", warm-up "
                + warmupIterations
                + " x "
                + warmupTime
                + ", measurement "
                + iterations
                + " x "
                + iterationTime;
    }

    /** The mirrored close calls, then the other configurations the ratios need. */
    static List<Step> ratioRuns() {
        List<Step> steps = new ArrayList<>(MIRRORED);
        for (Step s : RATIO_STEPS) {
            if (!steps.contains(s)) {
                steps.add(s);
            }
        }
        return steps;
    }

    /** {@link #ratioRuns()}, then the rest of the grid in class and parameter order. */
    static List<Step> ordered() {
        List<Step> steps = ratioRuns();
        for (Step s : grid()) {
            if (!steps.contains(s)) {
                steps.add(s);
            }
        }
        return steps;
    }

    /** Every configuration the benchmarks' own {@code @Param} lists define. */
    static List<Step> grid() {
        List<Step> all = new ArrayList<>();
        for (Class<?> type : BENCHMARKS) {
            List<Field> params =
                    Arrays.stream(type.getFields())
                            .filter(f -> f.isAnnotationPresent(Param.class))
                            .sorted(Comparator.comparing(Field::getName))
                            .toList();
            List<Method> methods =
                    Arrays.stream(type.getMethods())
                            .filter(m -> m.isAnnotationPresent(Benchmark.class))
                            .sorted(Comparator.comparing(Method::getName))
                            .toList();
            for (Method m : methods) {
                List<Map<String, String>> combos = new ArrayList<>();
                combos.add(new LinkedHashMap<>());
                for (Field f : params) {
                    List<Map<String, String>> next = new ArrayList<>();
                    for (Map<String, String> c : combos) {
                        for (String v : f.getAnnotation(Param.class).value()) {
                            Map<String, String> more = new LinkedHashMap<>(c);
                            more.put(f.getName(), v);
                            next.add(more);
                        }
                    }
                    combos = next;
                }
                combos.forEach(c -> all.add(new Step(type, m.getName(), c)));
            }
        }
        return all;
    }
}
