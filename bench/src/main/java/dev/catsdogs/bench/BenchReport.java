package dev.catsdogs.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the measurements into what {@code ./catsdogs bench} prints: a Markdown table (benchmark,
 * batch, threads, images/s, ms per image, error), the targets, and one closing {@code ratio:} line.
 * Pure: no JMH, no I/O, so the format is unit-tested.
 */
public final class BenchReport {

    static final String ORT = "OrtBenchmark.runRaw";
    static final String E2E = "EndToEndBenchmark.classify";
    static final String TWO_CALLERS = "ConcurrencyBenchmark.twoCallers";
    static final String PREPROCESS = "PreprocessBenchmark.jpegToTensor";
    static final String PREPROCESS_OPENCV_DECODER = "PreprocessBenchmark.jpegToTensorOpenCvDecoder";
    static final String PREPROCESS_FULL = "PreprocessBenchmark.jpegToTensorFullDecode";
    static final String PREPROCESS_OPENCV_FULL = "PreprocessBenchmark.jpegToTensorOpenCvFullDecode";
    static final String DJL = "DjlBenchmark.predict";
    static final String OPENCV = "OpenCvDnnBenchmark.forward";
    static final String PEAK = "PeakFlopsBenchmark.matmul";

    /** Targets of issue 6. */
    static final double MAX_E2E_OVER_RAW = 1.15;

    static final double MIN_ORT_OVER_DJL = 1.5;
    static final double MIN_ORT_OVER_OPENCV = 1.0;
    static final double MIN_TWO_CALLERS_OVER_ONE = 1.7;

    /** Targets of issue 14. */
    static final double MIN_INT8_OVER_FP32 = 1.8;

    static final double MIN_E2E_INT8_OVER_FP32 = 1.6;

    /** The row order and labels of the table. */
    private static final List<String> ORDER =
            List.of(
                    PREPROCESS,
                    PREPROCESS_OPENCV_DECODER,
                    PREPROCESS_FULL,
                    PREPROCESS_OPENCV_FULL,
                    ORT,
                    E2E,
                    TWO_CALLERS,
                    DJL,
                    OPENCV,
                    PEAK);

    private static final Map<String, String> LABELS =
            Map.of(
                    PREPROCESS, "preprocess only: JPEG bytes -> NCHW tensor",
                    PREPROCESS_OPENCV_DECODER, "preprocess only, with OpenCV's JPEG decoder",
                    PREPROCESS_FULL, "preprocess only, full-size JPEG decoding",
                    PREPROCESS_OPENCV_FULL, "preprocess only, full-size, OpenCV's decoder",
                    ORT, "ONNX Runtime only (runRaw), prepared tensor",
                    E2E, "end to end: JPEG bytes -> label + probability",
                    TWO_CALLERS, "end to end, 2 callers sharing one classifier",
                    DJL, "DJL Predictor (PyTorch), prepared tensor",
                    OPENCV, "OpenCV DNN, prepared tensor",
                    PEAK, "ceiling: MatMul peak FLOP/s / model FLOPs");

    private static final Pattern RATIO =
            Pattern.compile(
                    "ratio: e2e_over_raw=(\\S+) ort_over_djl=(\\S+) ort_over_opencv_dnn=(\\S+)"
                            + " fraction_of_peak=(\\S+)"
                            // optional: reports written before the int8 rows lack them
                            + "(?: int8_over_fp32=(\\S+) e2e_int8_over_fp32=(\\S+))?");

    private BenchReport() {}

    /**
     * The headline ratios, each NaN when a measurement it needs is missing.
     *
     * @param e2eOverRaw end-to-end time per image over ONNX Runtime-alone time per image, batch 1,
     *     one caller and one intra-op thread
     * @param ortOverDjl ONNX Runtime throughput over DJL's on the same prepared tensor, batch 1,
     *     one thread each
     * @param ortOverOpenCvDnn the same against OpenCV DNN
     * @param fractionOfPeak end-to-end throughput with 2 callers (the whole machine) over the
     *     images/s the machine's measured peak FLOP rate (2 threads) allows for the model's FLOPs
     * @param twoCallersOverOne end-to-end throughput of 2 callers over 1
     * @param int8OverFp32 ONNX Runtime-alone throughput of the int8 model over the float model's,
     *     batch 1, one thread
     * @param e2eInt8OverFp32 end-to-end throughput with the int8 model over the float model's,
     *     batch 1, one thread
     */
    public record Ratios(
            double e2eOverRaw,
            double ortOverDjl,
            double ortOverOpenCvDnn,
            double fractionOfPeak,
            double twoCallersOverOne,
            double int8OverFp32,
            double e2eInt8OverFp32) {

        /** The closing line: {@code ratio: e2e_over_raw=<x> ort_over_djl=<y> ...}. */
        public String line() {
            return "ratio: e2e_over_raw="
                    + number(e2eOverRaw)
                    + " ort_over_djl="
                    + number(ortOverDjl)
                    + " ort_over_opencv_dnn="
                    + number(ortOverOpenCvDnn)
                    + " fraction_of_peak="
                    + number(fractionOfPeak)
                    + " int8_over_fp32="
                    + number(int8OverFp32)
                    + " e2e_int8_over_fp32="
                    + number(e2eInt8OverFp32);
        }

        /**
         * Reads a {@link #line()} back ({@code twoCallersOverOne} is not in it and comes back NaN).
         *
         * @throws IllegalArgumentException if {@code line} is not a ratio line
         */
        public static Ratios parse(String line) {
            Matcher m = RATIO.matcher(line.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "not a ratio line: '"
                                + line
                                + "'; expected 'ratio: e2e_over_raw=<x> ort_over_djl=<y>"
                                + " ort_over_opencv_dnn=<z> fraction_of_peak=<f>"
                                + " int8_over_fp32=<i> e2e_int8_over_fp32=<j>'");
            }
            return new Ratios(
                    value(m.group(1)),
                    value(m.group(2)),
                    value(m.group(3)),
                    value(m.group(4)),
                    Double.NaN,
                    value(m.group(5)),
                    value(m.group(6)));
        }

        private static double value(String s) {
            return s == null || s.equals("n/a") ? Double.NaN : Double.parseDouble(s);
        }
    }

    /** Computes the ratios from the measurements and the model's MACs per image. */
    public static Ratios ratios(List<Measurement> all, long macsPerImage) {
        double raw = rawBatch1(all, Precision.FP32);
        double e2e = endToEndBatch1(all, Precision.FP32);
        double two = images(all, TWO_CALLERS);
        double djl = images(all, DJL, "batch", "1", "threads", "1");
        double opencv = images(all, OPENCV, "batch", "1", "threads", "1");
        double peak = peakImagesPerSecond(all, macsPerImage, 2);
        return new Ratios(
                raw / e2e,
                raw / djl,
                raw / opencv,
                two / peak,
                two / e2e,
                rawBatch1(all, Precision.INT8) / raw,
                endToEndBatch1(all, Precision.INT8) / e2e);
    }

    /** ONNX Runtime-alone images/s at batch 1, one thread, on the model of {@code precision}. */
    private static double rawBatch1(List<Measurement> all, String precision) {
        return images(all, ORT, "batch", "1", "intraOpThreads", "1", Precision.PARAM, precision);
    }

    /** End-to-end images/s at batch 1, one caller and one thread. */
    private static double endToEndBatch1(List<Measurement> all, String precision) {
        return images(all, E2E, "batch", "1", "intraOpThreads", "1", Precision.PARAM, precision);
    }

    /**
     * Images per second the machine's measured peak allows: {@code FLOP/s / (2 x MACs)}, from the
     * MatMul benchmark with {@code threads} intra-op threads; NaN if it was not measured.
     */
    public static double peakImagesPerSecond(
            List<Measurement> all, long macsPerImage, int threads) {
        return find(all, PEAK, "intraOpThreads", Integer.toString(threads))
                .map(m -> flopsPerSecond(m) / (2.0 * macsPerImage))
                .orElse(Double.NaN);
    }

    /** FLOP/s of a MatMul measurement: {@code ops/s x 2 size^3}. */
    static double flopsPerSecond(Measurement matmul) {
        double n = matmul.intParam("size", PeakMatMul.DEFAULT_SIZE);
        return matmul.opsPerSecond() * 2 * n * n * n;
    }

    /**
     * A consistency check of {@code e2e_over_raw}: end to end should cost preprocessing plus the
     * raw run plus the API's own cost. Measured minutes apart on a drifting machine, the three
     * rarely add up exactly; the line shows by how much.
     */
    public static String decomposition(List<Measurement> all) {
        double pre = 1000 / images(all, PREPROCESS);
        double raw = 1000 / rawBatch1(all, Precision.FP32);
        double e2e = 1000 / endToEndBatch1(all, Precision.FP32);
        return String.format(
                Locale.ROOT,
                "decomposition (batch 1, 1 thread): preprocess %s ms + ONNX Runtime %s ms = %s ms"
                        + " per image (%s x raw); end to end measured %s ms (%s x raw)",
                fixed(pre, 2),
                fixed(raw, 2),
                fixed(pre + raw, 2),
                number((pre + raw) / raw),
                fixed(e2e, 2),
                number(e2e / raw));
    }

    /** The Markdown table, one row per measurement, in a fixed order. */
    public static String table(List<Measurement> all, long macsPerImage) {
        StringBuilder out = new StringBuilder();
        out.append("| benchmark | batch | threads | images/s | ms per image | error |\n");
        out.append("|---|---:|---:|---:|---:|---:|\n");
        for (Measurement m : sorted(all)) {
            String label = LABELS.getOrDefault(m.benchmark(), m.benchmark());
            if (Precision.INT8.equals(m.params().get(Precision.PARAM))) {
                label += ", int8 model";
            }
            double images = m.imagesPerSecond();
            String batch = Integer.toString(m.batch());
            if (m.benchmark().equals(PEAK)) {
                double flops = flopsPerSecond(m);
                int size = m.intParam("size", PeakMatMul.DEFAULT_SIZE);
                label =
                        String.format(
                                Locale.ROOT,
                                "%s (%.1f GFLOP/s, %d^3 MatMul)",
                                label,
                                flops / 1e9,
                                size);
                images = flops / (2.0 * macsPerImage);
                batch = "-";
            }
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %s | %s | %s |%n",
                            label,
                            batch,
                            threads(m),
                            fixed(images, images < 100 ? 1 : 0),
                            fixed(1000 / images, 2),
                            percent(m.relativeError())));
        }
        return out.toString();
    }

    /**
     * The threads column: {@code callers x engine threads}. Callers are JMH threads; engine threads
     * are ONNX Runtime's intra-op threads, PyTorch's or OpenCV's (preprocessing alone: just 1).
     */
    static String threads(Measurement m) {
        if (m.benchmark().startsWith("PreprocessBenchmark.")) {
            return Integer.toString(m.threads());
        }
        int engine = m.intParam("intraOpThreads", m.intParam("threads", 1));
        return m.threads() + " x " + engine;
    }

    /** The targets with their measured values, one line each ({@code met}, {@code MISSED}, n/a). */
    public static List<String> targets(Ratios r) {
        List<String> lines = new ArrayList<>();
        lines.add(
                target(
                        "e2e_over_raw",
                        "<=",
                        MAX_E2E_OVER_RAW,
                        r.e2eOverRaw(),
                        r.e2eOverRaw() <= MAX_E2E_OVER_RAW));
        lines.add(
                target(
                        "ort_over_djl",
                        ">=",
                        MIN_ORT_OVER_DJL,
                        r.ortOverDjl(),
                        r.ortOverDjl() >= MIN_ORT_OVER_DJL));
        lines.add(
                target(
                        "ort_over_opencv_dnn",
                        ">",
                        MIN_ORT_OVER_OPENCV,
                        r.ortOverOpenCvDnn(),
                        r.ortOverOpenCvDnn() > MIN_ORT_OVER_OPENCV));
        lines.add(
                target(
                        "two_callers_over_one",
                        ">=",
                        MIN_TWO_CALLERS_OVER_ONE,
                        r.twoCallersOverOne(),
                        r.twoCallersOverOne() >= MIN_TWO_CALLERS_OVER_ONE));
        lines.add(
                target(
                        "int8_over_fp32",
                        ">=",
                        MIN_INT8_OVER_FP32,
                        r.int8OverFp32(),
                        r.int8OverFp32() >= MIN_INT8_OVER_FP32));
        lines.add(
                target(
                        "e2e_int8_over_fp32",
                        ">=",
                        MIN_E2E_INT8_OVER_FP32,
                        r.e2eInt8OverFp32(),
                        r.e2eInt8OverFp32() >= MIN_E2E_INT8_OVER_FP32));
        return lines;
    }

    static String target(String name, String op, double bound, double value, boolean met) {
        String verdict = Double.isNaN(value) ? "n/a (not measured)" : met ? "met" : "MISSED";
        return String.format(
                Locale.ROOT,
                "target %s %s %s: %s %s",
                name,
                op,
                number(bound),
                number(value),
                verdict);
    }

    /** Three decimals, or {@code n/a} for NaN. */
    static String number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v)
                ? "n/a"
                : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String fixed(double v, int decimals) {
        return Double.isNaN(v) || Double.isInfinite(v)
                ? "n/a"
                : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction)
                ? "n/a"
                : String.format(Locale.ROOT, "±%.1f%%", 100 * fraction);
    }

    private static List<Measurement> sorted(List<Measurement> all) {
        Comparator<Measurement> order =
                Comparator.comparingInt(
                                (Measurement m) -> {
                                    int i = ORDER.indexOf(m.benchmark());
                                    return i < 0 ? ORDER.size() : i;
                                })
                        .thenComparing(Measurement::benchmark)
                        // fp32 before int8 (absent for the benchmarks without the parameter)
                        .thenComparing(m -> m.params().getOrDefault(Precision.PARAM, ""))
                        .thenComparingInt(
                                m -> m.intParam("intraOpThreads", m.intParam("threads", 1)))
                        .thenComparingInt(Measurement::batch);
        return all.stream().sorted(order).toList();
    }

    private static double images(List<Measurement> all, String benchmark, String... params) {
        return find(all, benchmark, params).map(Measurement::imagesPerSecond).orElse(Double.NaN);
    }

    private static Optional<Measurement> find(
            List<Measurement> all, String benchmark, String... params) {
        return all.stream().filter(m -> m.is(benchmark, params)).findFirst();
    }
}
