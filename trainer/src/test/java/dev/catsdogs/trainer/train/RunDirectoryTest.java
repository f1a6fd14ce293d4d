package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import dev.catsdogs.trainer.data.Augmentation;
import dev.catsdogs.trainer.data.TutorialDataset;
import dev.catsdogs.trainer.model.Precision;
import dev.catsdogs.trainer.optimizer.OptimizerType;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reusing a run directory, temporary files a killed run leaves, and strict report.json. */
class RunDirectoryTest {

    @TempDir Path dir;

    /**
     * The config.json of a run from before settings had groups (every setting at the top level,
     * some later ones absent) reads into the same settings: export and --resume still take it. Its
     * missing settings read as what that run did: full JPEG decoding, float32, constant rate, no
     * early stopping, no class weights, the seed's recipe.
     */
    @Test
    void aFlatConfigOfAnOlderRunReadsIntoGroups() throws Exception {
        Path run = oldRun("flat-config-older.json");
        TrainingConfig config = RunDirectory.open(run).readConfig();
        assertEquals(7, config.seed());
        assertEquals(Recipe.SEED, config.recipe());
        assertEquals(
                new DataSettings(
                        Path.of("/data/pets"),
                        TutorialDataset.DEFAULT_URL,
                        128,
                        16,
                        new Augmentation(true, 0.2, 0, 0),
                        0,
                        false),
                config.data());
        assertEquals(
                new ModelSettings(
                        "models/mobilenet_v2_1.0_224_int8_per_tensor.onnx", null, 0.2f, 120),
                config.model());
        assertEquals(
                new PhaseSettings(
                        3,
                        OptimizerType.ADAM,
                        1e-3f,
                        LearningRateSchedule.CONSTANT,
                        EarlyStopping.OFF),
                config.featureExtraction());
        assertEquals(
                new PhaseSettings(
                        2,
                        OptimizerType.RMSPROP,
                        1e-4f,
                        LearningRateSchedule.CONSTANT,
                        EarlyStopping.OFF),
                config.fineTuning());
        assertEquals(ClassWeighting.NONE, config.classWeighting());
        assertEquals(5, config.evaluationSteps());
        assertEquals(
                new RuntimeSettings("cpu", Precision.FP32, true, 1L << 30, 2), config.runtime());
        assertEquals(
                new OutputSettings(Path.of("runs/20261130-101500"), 4, true, 32), config.outputs());
        assertEquals(List.of("cats", "dogs"), RunDirectory.open(run).classNames());
    }

    /**
     * The config.json the last flat version (commit beaf623) wrote for {@code train --recipe
     * tutorial --image-size 96 --batch-size 16 --epochs 2 --fine-tune-epochs 1 --lr-schedule cosine
     * --warmup-epochs 1 --early-stopping 3 --class-weight balanced --threads 2 --parity-images 16}
     * reads as those options build the settings today.
     */
    @Test
    void theLastFlatConfigReadsAsItsOptionsBuildTheSettingsNow() throws Exception {
        TrainingConfig config = RunDirectory.open(oldRun("flat-config-beaf623.json")).readConfig();
        TrainingConfig tutorial = TrainingConfig.of(Recipe.TUTORIAL, Path.of("runs/old"));
        LearningRateSchedule cosine = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1);
        EarlyStopping stopping = new EarlyStopping(3, 0f);
        TrainingConfig expected =
                tutorial.withData(
                                tutorial.data()
                                        .withDir(Path.of("/data/small"))
                                        .withImageSize(96)
                                        .withBatchSize(16))
                        .withFeatureExtraction(
                                tutorial.featureExtraction()
                                        .withEpochs(2)
                                        .withLearningRateSchedule(cosine)
                                        .withEarlyStopping(stopping))
                        .withFineTuning(
                                tutorial.fineTuning()
                                        .withEpochs(1)
                                        .withLearningRateSchedule(cosine)
                                        .withEarlyStopping(stopping))
                        .withClassWeighting(ClassWeighting.BALANCED)
                        .withRuntime(tutorial.runtime().withDecoderThreads(2))
                        .withOutputs(tutorial.outputs().withExport(true).withParityImages(16));
        assertEquals(expected, config);
    }

    private Path oldRun(String configResource) throws Exception {
        Path run = dir.resolve(configResource + "-run");
        Files.createDirectories(run);
        try (InputStream in = getClass().getResourceAsStream(configResource)) {
            Files.copy(in, run.resolve(RunDirectory.CONFIG));
        }
        return run;
    }

    /** The JPEG decoding survives config.json: export reads it back to record it in the model. */
    @Test
    void jpegDecodingRoundTripsThroughConfig() throws Exception {
        for (boolean fast : new boolean[] {true, false}) {
            Path run = dir.resolve("run-" + fast);
            TrainingConfig seed = TrainingConfig.of(Recipe.SEED, run);
            TrainingConfig config = seed.withData(seed.data().withFastJpegDecode(fast));
            JsonObject json = Json.gson().toJsonTree(config).getAsJsonObject();
            JsonObject data = json.getAsJsonObject("data");
            assertEquals(fast, data.get("fastJpegDecode").getAsBoolean());
            Files.createDirectories(run);
            Files.writeString(run.resolve(RunDirectory.CONFIG), Json.gson().toJson(json));
            assertEquals(config, RunDirectory.open(run).readConfig());
        }
        assertTrue(TrainingConfig.of(Recipe.SEED, dir).data().fastJpegDecode(), "the default");
    }

    @Test
    void aUsedDirectoryIsRefusedWithoutOverwrite() throws Exception {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve(RunDirectory.MODEL), "run 1's model");
        Files.writeString(run.resolve(RunDirectory.REPORT), "{}");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RunDirectory.create(run, false));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        assertTrue(Files.exists(run.resolve(RunDirectory.MODEL)), "nothing removed");
    }

    @Test
    void overwriteRemovesOnlyARunsFiles() throws Exception {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve(RunDirectory.MODEL), "run 1's model");
        Files.writeString(run.resolve(RunDirectory.PARAMETERS), "run 1's parameters");
        RunDirectory.create(run, true);
        assertFalse(Files.exists(run.resolve(RunDirectory.MODEL)), "run 1's model would mix in");
        assertFalse(Files.exists(run.resolve(RunDirectory.PARAMETERS)));

        Files.writeString(run.resolve("thesis.pdf"), "not ours");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RunDirectory.create(run, true));
        assertTrue(e.getMessage().contains("thesis.pdf"), e.getMessage());
        assertTrue(Files.exists(run.resolve("thesis.pdf")));
    }

    @Test
    void aFileIsNotARunDirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThrows(IllegalArgumentException.class, () -> RunDirectory.create(file, true));
    }

    @Test
    void temporariesOfAKilledRunAreRemovedAtTheNextStart() throws Exception {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Path params = Files.writeString(run.resolve(".model.params.k3j9x1.tmp"), "half");
        Path candidate = Files.writeString(run.resolve(".model.onnx.0a9z.candidate"), "8.8 MB");
        Path keep = Files.writeString(run.resolve(".notes.tmp.txt"), "not ours");
        Files.writeString(run.resolve(RunDirectory.CONFIG), "{}");

        RunDirectory.openToWrite(run, "export").close(); // as export does
        assertFalse(Files.exists(params), "opened for export: stale temporary removed");
        assertFalse(Files.exists(candidate));
        assertTrue(Files.exists(keep), "only the names this product writes");
    }

    @Test
    void reportIsStrictJsonEvenWithNaN() throws Exception {
        Path file = dir.resolve(RunDirectory.REPORT);
        RunReport report = new RunReport(file);
        report.section("fine_tuning").addProperty("val_loss", Double.NaN);
        report.section("fine_tuning").addProperty("loss", Double.POSITIVE_INFINITY);
        report.section("fine_tuning").addProperty("accuracy", 0.5);
        report.write();

        String text = Files.readString(file);
        JsonReader strict = new JsonReader(new StringReader(text));
        strict.setStrictness(Strictness.STRICT);
        JsonObject json = JsonParser.parseReader(strict).getAsJsonObject();
        JsonObject ft = json.getAsJsonObject("fine_tuning");
        assertTrue(ft.get("val_loss").isJsonNull());
        assertTrue(ft.get("loss").isJsonNull());
        assertEquals(0.5, ft.get("accuracy").getAsDouble());
        assertEquals(
                "[\"fine_tuning.val_loss was NaN\",\"fine_tuning.loss was Infinity\"]",
                json.get("non_finite").toString());
        assertTrue(
                report.snapshot().getAsJsonObject("fine_tuning").get("loss").getAsDouble() > 0,
                "the report itself keeps the value; only the file is strict");
    }
}
