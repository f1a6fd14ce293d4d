package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.catsdogs.trainer.TestPaths;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.device.CpuFeatures;
import dev.catsdogs.trainer.model.Precision;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.workflow.ModelExport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short real run in bfloat16 (caches built and both phases trained in bfloat16) keeps float32
 * weights, records its precision, and exports a float32 model that passes the parity check against
 * its own float32 weights.
 */
class MixedPrecisionRunTest {

    @TempDir Path dir;

    @Test
    void aBf16RunExportsAFloat32ModelThatPassesParity() throws Exception {
        Assumptions.assumeTrue(CpuFeatures.current().nativeBf16(), "no native bfloat16 here");
        Path data = dir.resolve("data");
        TestPaths.copyPhotos(data.resolve("train"), "train", 0, 12);
        TestPaths.copyPhotos(data.resolve("validation"), "validation", 2000, 8);
        TrainingConfig seed = TrainingConfig.of(Recipe.SEED, dir.resolve("run"));
        TrainingConfig config =
                seed.withSeed(7)
                        .withData(
                                seed.data()
                                        .withDir(data)
                                        .withUrl(URI.create("http://127.0.0.1:9/unused.zip"))
                                        .withImageSize(96)
                                        .withBatchSize(8))
                        .withFeatureExtraction(
                                seed.featureExtraction().withEpochs(2).withLearningRate(1e-3f))
                        .withFineTuning(seed.fineTuning().withEpochs(1))
                        .withEvaluationSteps(1)
                        .withRuntime(
                                seed.runtime()
                                        .withDevice("cpu")
                                        .withPrecision(Precision.BF16)
                                        .withDecoderThreads(2))
                        .withOutputs(
                                seed.outputs()
                                        .withSampleImages(4)
                                        .withExport(true)
                                        .withParityImages(8));
        Dataset dataset = Dataset.load(data, config.seed());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (TrainingRun run =
                        new TrainingRun(
                                config,
                                TestPaths.imagenetOnnx(),
                                dataset,
                                new PrintStream(printed, true, StandardCharsets.UTF_8),
                                false);
                NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork network = run.run(manager, Map.of("test", "1"), "cpu");
            assertEquals(Precision.BF16, network.precision());
            for (Parameter p : network.getParameters().values()) {
                assertEquals(DataType.FLOAT32, p.getArray().getDataType(), p.getName());
            }
            ModelExport.Result export =
                    ModelExport.export(
                            run.directory(), null, network, dataset, config, 8, false, () -> false);
            System.out.println("bf16 run, export parity " + export.maxAbsLogitDiff());
            assertTrue(export.passed(), "parity " + export.maxAbsLogitDiff());
            assertTrue(
                    export.maxAbsLogitDiff() < 1e-3,
                    "float32 parity, not bfloat16's: " + export.maxAbsLogitDiff());
        }
        JsonObject written =
                JsonParser.parseString(Files.readString(dir.resolve("run/config.json")))
                        .getAsJsonObject();
        assertEquals("bf16", written.getAsJsonObject("runtime").get("precision").getAsString());
        JsonObject report =
                JsonParser.parseString(Files.readString(dir.resolve("run/report.json")))
                        .getAsJsonObject();
        assertEquals("completed", report.get("status").getAsString());
        double loss = report.getAsJsonObject("fine_tuning").get("loss").getAsDouble();
        assertTrue(Double.isFinite(loss), "fine-tuning loss " + loss);
    }
}
