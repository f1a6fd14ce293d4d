package dev.catsdogs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static final long MACS = 150_000_000L; // 0.3 GFLOP per image: easy arithmetic

    /** A full set of measurements with round numbers. */
    static List<Measurement> measurements() {
        return List.of(
                m("PreprocessBenchmark.jpegToTensor", Map.of(), 1, 500, 5),
                m("OrtBenchmark.runRaw", raw("1", "1", "fp32"), 1, 160, 1.6),
                m("OrtBenchmark.runRaw", raw("32", "2", "fp32"), 1, 10, 0.2),
                // int8 at batch 1, 1 thread: 2.5x the float model raw, 2x end to end
                m("OrtBenchmark.runRaw", raw("1", "1", "int8"), 1, 400, 8),
                m("OrtBenchmark.runRaw", raw("1", "2", "int8"), 1, 600, 6),
                m("EndToEndBenchmark.classify", raw("1", "1", "fp32"), 1, 128, Double.NaN),
                m("EndToEndBenchmark.classify", raw("1", "1", "int8"), 1, 256, 2.56),
                m("ConcurrencyBenchmark.twoCallers", Map.of(), 2, 240, 12),
                m("DjlBenchmark.predict", Map.of("batch", "1", "threads", "1"), 1, 32, 0.32),
                m("OpenCvDnnBenchmark.forward", Map.of("batch", "1", "threads", "1"), 1, 80, 0.8),
                // 50 ops/s of a 1000^3 MatMul = 100 GFLOP/s = 333.3 images/s at 0.3 GFLOP each
                m(
                        "PeakFlopsBenchmark.matmul",
                        Map.of("intraOpThreads", "2", "size", "1000"),
                        1,
                        50,
                        1),
                m(
                        "PeakFlopsBenchmark.matmul",
                        Map.of("intraOpThreads", "1", "size", "1000"),
                        1,
                        25,
                        1));
    }

    /** The parameters of the ONNX Runtime-only and end-to-end benchmarks. */
    static Map<String, String> raw(String batch, String threads, String precision) {
        return Map.of("batch", batch, "intraOpThreads", threads, "precision", precision);
    }

    /** {@link #measurements()} without the int8 model's rows, as a run without an int8 file. */
    static List<Measurement> withoutInt8() {
        return measurements().stream()
                .filter(x -> !"int8".equals(x.params().get("precision")))
                .toList();
    }

    static Measurement m(
            String benchmark, Map<String, String> params, int threads, double ops, double error) {
        return new Measurement(benchmark, params, threads, ops, error);
    }

    @Test
    void ratiosFollowTheirDefinitions() {
        BenchReport.Ratios r = BenchReport.ratios(measurements(), MACS);
        assertEquals(160.0 / 128, r.e2eOverRaw(), 1e-9, "e2e ms per image / raw ms per image");
        assertEquals(160.0 / 32, r.ortOverDjl(), 1e-9);
        assertEquals(160.0 / 80, r.ortOverOpenCvDnn(), 1e-9);
        assertEquals(240 / (100e9 / 3e8), r.fractionOfPeak(), 1e-9);
        assertEquals(240.0 / 128, r.twoCallersOverOne(), 1e-9);
        assertEquals(400.0 / 160, r.int8OverFp32(), 1e-9, "raw int8 / raw fp32, batch 1, 1 thread");
        assertEquals(256.0 / 128, r.e2eInt8OverFp32(), 1e-9, "e2e int8 / e2e fp32, batch 1");
    }

    @Test
    void int8RowsDoNotChangeTheFloatRatios() {
        BenchReport.Ratios with = BenchReport.ratios(measurements(), MACS);
        BenchReport.Ratios without = BenchReport.ratios(withoutInt8(), MACS);
        assertEquals(without.e2eOverRaw(), with.e2eOverRaw());
        assertEquals(without.ortOverDjl(), with.ortOverDjl());
        assertEquals(without.twoCallersOverOne(), with.twoCallersOverOne());
        assertEquals(
                BenchReport.decomposition(withoutInt8()),
                BenchReport.decomposition(measurements()));
    }

    @Test
    void withoutAnInt8ModelItsRatiosAndTargetsAreNotAvailable() {
        BenchReport.Ratios r = BenchReport.ratios(withoutInt8(), MACS);
        assertTrue(Double.isNaN(r.int8OverFp32()));
        assertTrue(Double.isNaN(r.e2eInt8OverFp32()));
        assertTrue(r.line().endsWith(" int8_over_fp32=n/a e2e_int8_over_fp32=n/a"), r.line());
        BenchReport.Ratios back = BenchReport.Ratios.parse(r.line());
        assertTrue(Double.isNaN(back.int8OverFp32()));
        assertEquals(1.25, back.e2eOverRaw());
        List<String> targets = BenchReport.targets(r);
        assertEquals("target int8_over_fp32 >= 1.800: n/a n/a (not measured)", targets.get(4));
        assertEquals("target e2e_int8_over_fp32 >= 1.600: n/a n/a (not measured)", targets.get(5));
    }

    @Test
    void aRatioLineWrittenBeforeTheInt8RowsStillParses() {
        BenchReport.Ratios old =
                BenchReport.Ratios.parse(
                        "ratio: e2e_over_raw=1.080 ort_over_djl=3.368 ort_over_opencv_dnn=1.801"
                                + " fraction_of_peak=0.621");
        assertEquals(1.08, old.e2eOverRaw());
        assertEquals(0.621, old.fractionOfPeak());
        assertTrue(Double.isNaN(old.int8OverFp32()));
        assertTrue(Double.isNaN(old.e2eInt8OverFp32()));
    }

    @Test
    void ratioLineIsExactlyTheIssuesFormatAndParsesBack() {
        BenchReport.Ratios r = BenchReport.ratios(measurements(), MACS);
        String line = r.line();
        assertEquals(
                "ratio: e2e_over_raw=1.250 ort_over_djl=5.000 ort_over_opencv_dnn=2.000 "
                        + "fraction_of_peak=0.720 int8_over_fp32=2.500 e2e_int8_over_fp32=2.000",
                line);
        BenchReport.Ratios back = BenchReport.Ratios.parse(line);
        assertEquals(1.25, back.e2eOverRaw());
        assertEquals(5.0, back.ortOverDjl());
        assertEquals(2.0, back.ortOverOpenCvDnn());
        assertEquals(0.72, back.fractionOfPeak());
        assertEquals(2.5, back.int8OverFp32());
        assertEquals(2.0, back.e2eInt8OverFp32());
    }

    @Test
    void missingMeasurementsGiveNotAvailableNotACrash() {
        List<Measurement> noPeers =
                measurements().stream().filter(x -> !x.benchmark().startsWith("OpenCv")).toList();
        BenchReport.Ratios r = BenchReport.ratios(noPeers, MACS);
        assertTrue(r.line().contains("ort_over_opencv_dnn=n/a"), r.line());
        assertTrue(Double.isNaN(BenchReport.Ratios.parse(r.line()).ortOverOpenCvDnn()));
        assertTrue(
                BenchReport.targets(r).get(2).endsWith("n/a (not measured)"),
                BenchReport.targets(r).toString());
    }

    @Test
    void parseRejectsOtherLines() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> BenchReport.Ratios.parse("ratio: e2e_over_raw=1.0"));
        assertTrue(e.getMessage().contains("'ratio: e2e_over_raw=1.0'"), e.getMessage());
    }

    @Test
    void tableHasTheColumnsAndOneRowPerMeasurementInAFixedOrder() {
        String table = BenchReport.table(measurements(), MACS);
        List<String> lines = table.lines().toList();
        assertEquals(
                "| benchmark | batch | threads | images/s | ms per image | error |", lines.get(0));
        assertEquals("|---|---:|---:|---:|---:|---:|", lines.get(1));
        assertEquals(2 + measurements().size(), lines.size());
        assertEquals(
                "| preprocess only: JPEG bytes -> NCHW tensor | 1 | 1 | 500 | 2.00 | ±1.0% |",
                lines.get(2));
        assertEquals(
                "| ONNX Runtime only (runRaw), prepared tensor | 1 | 1 x 1 | 160 | 6.25 | ±1.0% |",
                lines.get(3));
        // batch 32 at 10 ops/s is 320 images/s; sorted after the 1-thread row
        assertEquals(
                "| ONNX Runtime only (runRaw), prepared tensor | 32 | 1 x 2 | 320 | 3.13 | ±2.0% |",
                lines.get(4));
        // the int8 model's rows follow the float model's of the same benchmark
        assertEquals(
                "| ONNX Runtime only (runRaw), prepared tensor, int8 model | 1 | 1 x 1 | 400 | 2.50"
                        + " | ±2.0% |",
                lines.get(5));
        assertEquals(
                "| ONNX Runtime only (runRaw), prepared tensor, int8 model | 1 | 1 x 2 | 600 | 1.67"
                        + " | ±1.0% |",
                lines.get(6));
        assertEquals(
                "| end to end: JPEG bytes -> label + probability | 1 | 1 x 1 | 128 | 7.81 | n/a |",
                lines.get(7));
        assertEquals(
                "| end to end: JPEG bytes -> label + probability, int8 model | 1 | 1 x 1 | 256 |"
                        + " 3.91 | ±1.0% |",
                lines.get(8));
        assertEquals(
                "| end to end, 2 callers sharing one classifier | 1 | 2 x 1 | 240 | 4.17 | ±5.0% |",
                lines.get(9));
        assertEquals(
                "| DJL Predictor (PyTorch), prepared tensor | 1 | 1 x 1 | 32.0 | 31.25 | ±1.0% |",
                lines.get(10));
        assertEquals(
                "| OpenCV DNN, prepared tensor | 1 | 1 x 1 | 80.0 | 12.50 | ±1.0% |",
                lines.get(11));
        assertEquals(
                "| ceiling: MatMul peak FLOP/s / model FLOPs (50.0 GFLOP/s, 1000^3 MatMul) | - "
                        + "| 1 x 1 | 167 | 6.00 | ±4.0% |",
                lines.get(12));
        assertEquals(
                "| ceiling: MatMul peak FLOP/s / model FLOPs (100.0 GFLOP/s, 1000^3 MatMul) | - "
                        + "| 1 x 2 | 333 | 3.00 | ±2.0% |",
                lines.get(13));
    }

    @Test
    void decompositionAddsPreprocessingToTheRawRun() {
        assertEquals(
                "decomposition (batch 1, 1 thread): preprocess 2.00 ms + ONNX Runtime 6.25 ms ="
                    + " 8.25 ms per image (1.320 x raw); end to end measured 7.81 ms (1.250 x raw)",
                BenchReport.decomposition(measurements()));
    }

    @Test
    void targetsSayMetOrMissedWithTheValue() {
        BenchReport.Ratios r = new BenchReport.Ratios(1.2, 1.6, 0.9, 0.3, 1.8, 1.5, 1.7);
        assertEquals(
                List.of(
                        "target e2e_over_raw <= 1.150: 1.200 MISSED",
                        "target ort_over_djl >= 1.500: 1.600 met",
                        "target ort_over_opencv_dnn > 1.000: 0.900 MISSED",
                        "target two_callers_over_one >= 1.700: 1.800 met",
                        "target int8_over_fp32 >= 1.800: 1.500 MISSED",
                        "target e2e_int8_over_fp32 >= 1.600: 1.700 met"),
                BenchReport.targets(r));
    }
}
