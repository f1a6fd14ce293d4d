package dev.catsdogs.trainer.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.catsdogs.inference.Explanation;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.inference.Prediction;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.trainer.TestPaths;
import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.onnx.MobileNetV2Weights;
import dev.catsdogs.trainer.onnx.OnnxExporter;
import dev.catsdogs.trainer.train.Recipe;
import dev.catsdogs.trainer.train.RunDirectory;
import dev.catsdogs.trainer.train.TrainingConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export with metadata and the parity proof, on the ImageNet base with a random head. */
class ModelExportTest {

    private static final int SIZE = 96;

    private static NDManager manager;
    private static TransferNetwork network;
    private static Dataset dataset;

    @TempDir Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(11); // the head's random initialisation, reproducible
        network = TransferNetwork.create(SIZE, 2);
        network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, SIZE, SIZE));
        MobileNetV2Weights.read(TestPaths.imagenetOnnx()).applyTo(network.base());
        dataset = Dataset.load(TestPaths.catsAndDogs(), 1);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    /** The default settings (scaled JPEG decoding), writing to this test's directory. */
    private TrainingConfig config() {
        return TrainingConfig.of(Recipe.SEED, dir);
    }

    /** The default settings, decoding every JPEG at full size. */
    private static TrainingConfig fullDecoding(Path dir) {
        TrainingConfig config = TrainingConfig.of(Recipe.SEED, dir);
        return config.withData(config.data().withFastJpegDecode(false));
    }

    @Test
    void exportReturnsItsParityLinePrintsNothingAndCarriesTheContract() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ModelExport.Result result;
        System.setOut(new PrintStream(captured, true));
        try {
            result =
                    ModelExport.export(
                            RunDirectory.create(dir),
                            null,
                            network,
                            dataset,
                            config(),
                            12,
                            false,
                            () -> false);
        } finally {
            System.setOut(original);
        }
        assertEquals("", captured.toString(), "library code does not print; the commands do");
        assertTrue(
                result.parityLine().matches("parity: max_abs_logit_diff=\\S+ images=12"),
                result.parityLine());
        assertTrue(result.passed());
        assertTrue(
                result.maxAbsLogitDiff() < ModelExport.PARITY_TOLERANCE,
                "diff " + result.maxAbsLogitDiff());

        try (ImageClassifier classifier = ImageClassifier.builder(result.file()).build()) {
            ModelMetadata m = classifier.metadata();
            assertEquals(List.of("cats", "dogs"), m.classNames());
            assertEquals(SIZE, m.inputHeight());
            assertEquals(PreprocessingSpec.Layout.NCHW, m.inputLayout());
            assertEquals(ModelMetadata.OutputKind.SIGMOID, m.outputKind());
            assertEquals(64, m.provenance().get("data.files_sha256").length());
            assertEquals(Optional.of(OnnxExporter.CAM), m.camOutput(), "the maps are listed");
            assertTrue(classifier.hasActivationMaps());
            Path photo = dataset.validation().get(0).file();
            Explanation explanation = classifier.explain(photo);
            assertEquals(classifier.classify(photo), explanation.prediction());
            assertEquals(SIZE / 32, explanation.coarseWidth());
            assertTrue(m.fastJpegDecode(), "scaled JPEG decoding, the default, is recorded");
            assertTrue(m.provenance().get("settings").contains("\"fastJpegDecode\": true"));
        }
        try (var files = Files.list(dir)) {
            assertEquals(
                    List.of(dir.resolve("model.onnx")),
                    files.toList(),
                    "only the model, no candidate left");
        }
    }

    @Test
    void uint8GraphGivesTheSameAnswers() throws Exception {
        Path file = dir.resolve("uint8.onnx");
        ModelExport.Result result =
                ModelExport.export(
                        RunDirectory.create(dir),
                        file,
                        network,
                        dataset,
                        config(),
                        8,
                        true,
                        () -> false);
        assertTrue(result.passed(), "parity " + result.maxAbsLogitDiff());
        Path plain =
                ModelExport.export(
                                RunDirectory.create(dir),
                                dir.resolve("plain.onnx"),
                                network,
                                dataset,
                                config(),
                                8,
                                false,
                                () -> false)
                        .file();
        List<Path> photos = dataset.validation().subList(0, 6).stream().map(s -> s.file()).toList();
        try (ImageClassifier uint8 = ImageClassifier.builder(file).build();
                ImageClassifier floats = ImageClassifier.builder(plain).build()) {
            assertEquals(PreprocessingSpec.Layout.NHWC, uint8.metadata().inputLayout());
            for (Path photo : photos) {
                Prediction a = uint8.classify(photo);
                Prediction b = floats.classify(photo);
                // uint8 input rounds the resized pixels to whole levels (+-0.5), the float path
                // does not: measured up to 0.2 in a logit of this untrained head, 0.02 in
                // probability. So labels must agree wherever the logit is clearly off the
                // decision boundary.
                assertEquals(b.logits()[0], a.logits()[0], 0.3, photo.toString());
                if (Math.abs(b.logits()[0]) > 0.3) {
                    assertEquals(b.label(), a.label(), photo.toString());
                }
            }
        }
    }

    /**
     * Full decoding is recorded as such and the classifier follows it (parity passes); DJL fed the
     * other decoding than the model records fails parity, so the record is checked on export.
     */
    @Test
    void theJpegDecodingIsRecordedAndParityChecksIt() throws Exception {
        Path file = dir.resolve("full.onnx");
        ModelExport.Result full =
                ModelExport.export(
                        RunDirectory.create(dir),
                        file,
                        network,
                        dataset,
                        fullDecoding(dir),
                        16,
                        false,
                        () -> false);
        assertTrue(full.passed(), full.parityLine());
        try (ImageClassifier classifier = ImageClassifier.builder(file).build()) {
            assertFalse(classifier.metadata().fastJpegDecode());
        }
        ModelExport.Result mismatched =
                ModelExport.parity(
                        file, network, dataset.validation(), 16, SIZE, false, true, () -> false);
        assertTrue(
                mismatched.maxAbsLogitDiff() > ModelExport.PARITY_TOLERANCE,
                "scaled tensors against a model that records full decoding: " + mismatched);
    }

    @Test
    void parityCatchesAModelThatDiffersFromTheNetwork() throws Exception {
        Path file = dir.resolve("model.onnx");
        ModelExport.export(
                RunDirectory.create(dir), file, network, dataset, config(), 4, false, () -> false);
        TransferNetwork other = TransferNetwork.create(SIZE, 2);
        other.initialize(manager, DataType.FLOAT32, new Shape(1, 3, SIZE, SIZE));
        MobileNetV2Weights.read(TestPaths.imagenetOnnx()).applyTo(other.base());
        for (Parameter p : other.head().getParameters().values()) {
            float[] v = p.getArray().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = -3 * v[i] + 0.5f;
            }
            p.getArray().set(v);
        }
        ModelExport.Result parity =
                ModelExport.parity(
                        file, other, dataset.validation(), 16, SIZE, false, true, () -> false);
        assertFalse(
                parity.maxAbsLogitDiff() <= ModelExport.PARITY_TOLERANCE
                        && parity.labelMismatches() == 0,
                "a different network must fail parity: " + parity);
    }

    /**
     * Ctrl-C during the export, at every point it is polled: no model file, no candidate file, and
     * the interruption reported (what once ended in a native crash or a "completed" report).
     */
    @Test
    void interruptingTheExportAtAnyPointLeavesNoFile() throws Exception {
        Path target = dir.resolve("interrupted.onnx");
        int polls = 0;
        for (int stopAt = 1; ; stopAt++) {
            int[] count = {0};
            int at = stopAt;
            try {
                ModelExport.export(
                        RunDirectory.create(dir),
                        target,
                        network,
                        dataset,
                        config(),
                        20,
                        false,
                        () -> ++count[0] >= at);
                polls = count[0];
                break; // polled fewer times than stopAt: it ran to the end
            } catch (TrainingInterruptedException expected) {
                assertFalse(Files.exists(target), "stopped at poll " + at + ": a model file");
                try (var files = Files.list(dir)) {
                    assertTrue(
                            files.noneMatch(f -> f.toString().endsWith(".candidate")),
                            "stopped at poll " + at + ": a candidate file left");
                }
            }
        }
        assertTrue(polls >= 3, "the export polls between parity batches and before keeping");
        assertTrue(Files.exists(target), "not stopped: the file is written");
    }

    /** A model computing NaN once passed parity ("max_abs_logit_diff=NaN", "passed": true). */
    @Test
    void parityFailsOnNaNAndOnNothingCompared() {
        assertFalse(ModelExport.Result.within(Double.NaN, 64, 0), "NaN difference");
        assertFalse(ModelExport.Result.within(0.0, 0, 0), "no image compared");
        assertFalse(ModelExport.Result.within(0.0, 64, 1), "a label differs");
        assertFalse(ModelExport.Result.within(2e-3, 64, 0), "over the tolerance");
        assertTrue(ModelExport.Result.within(1e-5, 64, 0));
    }
}
