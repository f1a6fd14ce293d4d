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
                m("OrtBenchmark.runRaw", Map.of("batch", "1", "intraOpThreads", "1"), 1, 160, 1.6),
                m("OrtBenchmark.runRaw", Map.of("batch", "32", "intraOpThreads", "2"), 1, 10, 0.2),
                m("EndToEndBenchmark.classify", Map.of("batch", "1"), 1, 128, Double.NaN),
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
    }

    @Test
    void ratioLineIsExactlyTheIssuesFormatAndParsesBack() {
        BenchReport.Ratios r = BenchReport.ratios(measurements(), MACS);
        String line = r.line();
        assertEquals(
                "ratio: e2e_over_raw=1.250 ort_over_djl=5.000 ort_over_opencv_dnn=2.000 "
                        + "fraction_of_peak=0.720",
                line);
        BenchReport.Ratios back = BenchReport.Ratios.parse(line);
        assertEquals(1.25, back.e2eOverRaw());
        assertEquals(5.0, back.ortOverDjl());
        assertEquals(2.0, back.ortOverOpenCvDnn());
        assertEquals(0.72, back.fractionOfPeak());
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
        assertEquals(
                "| end to end: JPEG bytes -> label + probability | 1 | 1 x 1 | 128 | 7.81 | n/a |",
                lines.get(5));
        assertEquals(
                "| end to end, 2 callers sharing one classifier | 1 | 2 x 1 | 240 | 4.17 | ±5.0% |",
                lines.get(6));
        assertEquals(
                "| DJL Predictor (PyTorch), prepared tensor | 1 | 1 x 1 | 32.0 | 31.25 | ±1.0% |",
                lines.get(7));
        assertEquals(
                "| OpenCV DNN, prepared tensor | 1 | 1 x 1 | 80.0 | 12.50 | ±1.0% |", lines.get(8));
        assertEquals(
                "| ceiling: MatMul peak FLOP/s / model FLOPs (50.0 GFLOP/s, 1000^3 MatMul) | - "
                        + "| 1 x 1 | 167 | 6.00 | ±4.0% |",
                lines.get(9));
        assertEquals(
                "| ceiling: MatMul peak FLOP/s / model FLOPs (100.0 GFLOP/s, 1000^3 MatMul) | - "
                        + "| 1 x 2 | 333 | 3.00 | ±2.0% |",
                lines.get(10));
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
        BenchReport.Ratios r = new BenchReport.Ratios(1.2, 1.6, 0.9, 0.3, 1.8);
        assertEquals(
                List.of(
                        "target e2e_over_raw <= 1.150: 1.200 MISSED",
                        "target ort_over_djl >= 1.500: 1.600 met",
                        "target ort_over_opencv_dnn > 1.000: 0.900 MISSED",
                        "target two_callers_over_one >= 1.700: 1.800 met"),
                BenchReport.targets(r));
    }
}
