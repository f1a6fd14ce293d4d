package dev.catsdogs.trainer.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.trainer.TestPaths;
import dev.catsdogs.trainer.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The int8 export of the shipped float model, on the real photos. */
class Int8ExportTest {

    private static byte[] floatModel;
    private static Path floatFile;
    private static Dataset dataset;

    @TempDir Path dir;
    @TempDir static Path data;

    /**
     * A sample of the shared photos, linked: 48 + 48 training images (64 to calibrate, 32 held out
     * for the weight-width search) and 60 + 60 validation images for the gate. What the test proves
     * does not need all 3,000, and the whole set made it the slowest test of the suite.
     */
    @BeforeAll
    static void setUp() throws Exception {
        floatFile = TestPaths.root().resolve("models/catsdogs-mobilenetv2.onnx");
        floatModel = Files.readAllBytes(floatFile);
        for (String[] split : new String[][] {{"train", "0", "48"}, {"validation", "2000", "60"}}) {
            for (String[] c : new String[][] {{"cats", "cat"}, {"dogs", "dog"}}) {
                Path target = Files.createDirectories(data.resolve(split[0]).resolve(c[0]));
                int first = Integer.parseInt(split[1]);
                for (int i = first; i < first + Integer.parseInt(split[2]); i++) {
                    String name = c[1] + "." + i + ".jpg";
                    Files.createSymbolicLink(
                            target.resolve(name),
                            TestPaths.catsAndDogs().resolve(split[0]).resolve(c[0]).resolve(name));
                }
            }
        }
        dataset = Dataset.load(data, 42);
    }

    @Test
    void exportFusesEveryLayerIntoIntegerKernelsAndWritesOnlyWhatPassedTheGate() throws Exception {
        List<String> progress = new java.util.ArrayList<>();
        Path out = dir.resolve("model-int8.onnx");
        Int8Export.Result result =
                Int8Export.export(
                        floatModel,
                        dataset,
                        new Int8Export.Settings(64, ActivationType.U8S8, 42),
                        out,
                        () -> false,
                        progress::add);

        assertEquals(120, result.gate().images(), "the whole validation split");
        assertTrue(result.gate().line().startsWith("int8: agreement="), result.gate().line());
        assertEquals(result.gate().passed(), result.passed());
        assertEquals(result.passed(), Files.exists(out), "a file exists only when the gate passed");
        // ONNX Runtime fused every conv, add, pooling and the dense into integer kernels.
        Map<String, Integer> kernels = result.kernels();
        // Only the activation maps' 1x1 Conv (a float graph output, like the logits) is float.
        assertEquals(1, kernels.getOrDefault("Conv", 0), result.kernelsLine());
        assertEquals(52, kernels.getOrDefault("QLinearConv", 0), result.kernelsLine());
        assertEquals(10, kernels.getOrDefault("QLinearAdd", 0), result.kernelsLine());
        assertEquals(1, kernels.getOrDefault("QLinearGlobalAveragePool", 0), result.kernelsLine());
        assertEquals(1, kernels.getOrDefault("QGemm", 0), result.kernelsLine());
        // the weight-width search went through every Conv and Gemm (54 with the activation maps)
        assertTrue(
                progress.get(progress.size() - 1).startsWith("int8: weight widths 54/54 layers"),
                progress.toString());
    }

    @Test
    void int8GraphLoadsInTheClassifierAgreesOnTheTestPhotosAndKeepsTheMetadata() throws Exception {
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(floatModel);
        PreprocessingSpec spec = PreprocessingSpec.mobileNetV2(160);
        Map<String, TensorStatistics> stats =
                ActivationCalibrator.calibrate(
                        model,
                        QdqRewriter.calibratedActivations(model.getGraph()),
                        PreparedImages.of(
                                dataset.train().subList(0, 32), Int8Export.metadataOf(model)),
                        160,
                        2);
        OnnxMl.ModelProto int8 =
                QdqRewriter.rewrite(
                        model,
                        ActivationCalibrator.ranges(stats, RangeMethod.MIN_MAX),
                        ActivationType.U8S8);
        Map<String, String> floatProps = new java.util.TreeMap<>();
        model.getMetadataPropsList().forEach(p -> floatProps.put(p.getKey(), p.getValue()));
        Int8Gate gate = new Int8Gate(0.999, 0.98, 0.979, 1000);
        Path out = dir.resolve("model-int8.onnx");
        Files.write(
                out,
                Int8Export.withMetadata(
                                int8,
                                floatProps,
                                new Int8Export.Settings(32, ActivationType.U8S8, 42),
                                RangeMethod.MIN_MAX,
                                SaturationGuard.none(),
                                32,
                                gate)
                        .toByteArray());
        assertTrue(Files.size(out) * 3 < Files.size(floatFile), "int8 weights: under a third");

        List<Path> photos;
        try (Stream<Path> s =
                Files.list(TestPaths.root().resolve("inference/src/test/resources/images"))) {
            photos = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        assertFalse(photos.isEmpty());
        try (ImageClassifier fp32 = ImageClassifier.builder(floatFile).build();
                ImageClassifier q8 = ImageClassifier.builder(out).build()) {
            for (Path photo : photos) {
                assertEquals(
                        fp32.classify(photo).label(),
                        q8.classify(photo).label(),
                        photo.getFileName().toString());
            }
            // Metadata round trip: the float contract unchanged, plus the quantization.
            ModelMetadata f = fp32.metadata();
            ModelMetadata q = q8.metadata();
            assertEquals(f.classNames(), q.classNames());
            assertEquals(f.preprocessingSpec(), q.preprocessingSpec());
            assertEquals(f.outputKind(), q.outputKind());
            assertEquals(f.threshold(), q.threshold());
            assertTrue(f.quantization().isEmpty());
            String quantization = q.quantization().orElseThrow();
            assertTrue(quantization.contains("\"scheme\":\"U8S8\""), quantization);
            assertTrue(quantization.contains("\"calibration_images\":32"), quantization);
            assertTrue(quantization.contains("\"ranges\":\"minmax\""), quantization);
            assertTrue(q.provenance().entrySet().containsAll(f.provenance().entrySet()));
            assertEquals("0.9990", q.provenance().get("int8.agreement"));
        }
    }

    @Test
    void gateRefusesRangesScaledByOneHundredth() throws Exception {
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(floatModel);
        PreprocessingSpec spec = PreprocessingSpec.mobileNetV2(160);
        List<String> activations = QdqRewriter.calibratedActivations(model.getGraph());
        Map<String, TensorStatistics> stats =
                ActivationCalibrator.calibrate(
                        model,
                        activations,
                        PreparedImages.of(
                                dataset.train().subList(0, 32), Int8Export.metadataOf(model)),
                        160,
                        2);
        Map<String, TensorRange> ranges = ActivationCalibrator.ranges(stats, RangeMethod.MIN_MAX);
        Map<String, TensorRange> broken =
                ranges.entrySet().stream()
                        .collect(
                                Collectors.toMap(
                                        Map.Entry::getKey, e -> e.getValue().scaled(0.01f)));
        Int8Export.Comparer comparer =
                new Int8Export.Comparer(
                        floatModel, Int8Export.metadataOf(model), 1, 0.5f, () -> false);
        var validation = dataset.validation();

        Int8Gate good =
                Int8Gate.of(
                        comparer.compare(
                                QdqRewriter.rewrite(model, ranges, ActivationType.U8S8)
                                        .toByteArray(),
                                validation,
                                null));
        Int8Gate bad =
                Int8Gate.of(
                        comparer.compare(
                                QdqRewriter.rewrite(model, broken, ActivationType.U8S8)
                                        .toByteArray(),
                                validation,
                                null));

        // The same path with sound ranges stays close to the float model; broken ones do not.
        assertTrue(good.agreement() > 0.95, good.line());
        assertTrue(bad.agreement() < 0.9, bad.line());
        assertFalse(bad.passed(), bad.line());
        assertTrue(bad.failure().contains("agreement"), bad.failure());
    }
}
