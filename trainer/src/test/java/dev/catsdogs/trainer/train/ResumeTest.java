package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.catsdogs.trainer.TestPaths;
import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.optimizer.OptimizerType;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --resume}: a run interrupted between epochs, in the middle of an epoch, or in the
 * fine-tuning phase, then resumed, ends with the uninterrupted run's metrics and parameters, bit
 * for bit (CPU training is deterministic). The run exercises every piece of state a checkpoint
 * holds: Adam's moments and step count, RMSprop's mean squares, the cosine schedule's position,
 * early stopping's best weights, dropout's random draws and class weights.
 */
class ResumeTest {

    @TempDir static Path dir;
    private static Path data;
    private static Path reference;

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @BeforeAll
    static void uninterruptedReference() throws Exception {
        data = dir.resolve("data");
        for (String[] split : new String[][] {{"train", "0", "16"}, {"validation", "2000", "12"}}) {
            for (String[] c : new String[][] {{"cats", "cat"}, {"dogs", "dog"}}) {
                Path target = Files.createDirectories(data.resolve(split[0]).resolve(c[0]));
                int first = Integer.parseInt(split[1]);
                for (int i = first; i < first + Integer.parseInt(split[2]); i++) {
                    String name = c[1] + "." + i + ".jpg";
                    Files.copy(
                            TestPaths.catsAndDogs().resolve(split[0]).resolve(c[0]).resolve(name),
                            target.resolve(name));
                }
            }
        }
        reference = dir.resolve("reference");
        train(newRun(reference), null);
    }

    private static TrainingConfig config(Path out) {
        TrainingConfig seed = TrainingConfig.of(Recipe.SEED, out);
        LearningRateSchedule cosine = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1);
        EarlyStopping stopping = new EarlyStopping(10, 0f);
        return seed.withSeed(11)
                .withData(
                        seed.data()
                                .withDir(data)
                                .withUrl(URI.create("http://127.0.0.1:9/unused.zip"))
                                .withImageSize(64)
                                .withBatchSize(8))
                .withModel(seed.model().withFineTuneAt(140).withDropout(0.3f))
                .withFeatureExtraction(
                        seed.featureExtraction()
                                .withEpochs(3)
                                .withLearningRate(1e-3f)
                                .withOptimizer(OptimizerType.ADAM)
                                .withLearningRateSchedule(cosine)
                                .withEarlyStopping(stopping))
                .withFineTuning(
                        seed.fineTuning()
                                .withEpochs(2)
                                .withLearningRateSchedule(cosine)
                                .withEarlyStopping(stopping))
                .withClassWeighting(ClassWeighting.BALANCED)
                .withEvaluationSteps(1)
                .withRuntime(seed.runtime().withDevice("cpu").withDecoderThreads(2))
                .withOutputs(seed.outputs().withSampleImages(4).withExport(false));
    }

    private static TrainingRun newRun(Path out) throws IOException {
        TrainingConfig config = config(out);
        return new TrainingRun(
                config, TestPaths.imagenetOnnx(), Dataset.load(data, config.seed()), QUIET, false);
    }

    /** Runs {@code run} to its end, or until {@code stopper} stops it; closes it. */
    private static boolean train(TrainingRun run, TrainingListener stopper) throws IOException {
        try (run;
                NDManager manager = NDManager.newBaseManager()) {
            if (stopper != null) {
                run.addListener(stopper);
            }
            run.run(manager, Map.of("catsdogs", "test"), "cpu");
            return true;
        } catch (TrainingInterruptedException e) {
            return false;
        }
    }

    private static void interruptThenResume(Path out, TrainingListener stopper) throws Exception {
        TrainingRun run = newRun(out);
        stopper = stopper == null ? new TrainingListener() {} : stopper;
        if (stopper instanceof Stopper s) {
            s.run = run;
        }
        assertEquals(false, train(run, stopper), "interrupted");
        assertEquals("interrupted", status(out));
        // What a kill during the next checkpoint's write leaves: a half-written temporary file.
        Files.write(out.resolve(".checkpoint.bin.k3j9x1.tmp"), new byte[] {1, 2, 3});
        assertTrue(
                train(TrainingRun.resume(out, "test", QUIET), null), "the resumed run completes");
        assertEquals("completed", status(out));
        assertEquals(metrics(reference), metrics(out), "the uninterrupted run's metrics");
        assertArrayEquals(
                Files.readAllBytes(reference.resolve(RunDirectory.PARAMETERS)),
                Files.readAllBytes(out.resolve(RunDirectory.PARAMETERS)),
                "the uninterrupted run's parameters");
        JsonObject report =
                JsonParser.parseString(Files.readString(out.resolve("report.json")))
                        .getAsJsonObject();
        assertEquals(1, report.getAsJsonArray("resumed").size(), report.toString());
        JsonObject config =
                JsonParser.parseString(Files.readString(out.resolve("config.json")))
                        .getAsJsonObject();
        assertEquals(1, config.getAsJsonArray("resumed").size(), config.toString());
        assertTrue(
                Files.notExists(out.resolve(".checkpoint.bin.k3j9x1.tmp")), "stale temp removed");
    }

    /** Stops the run from inside, as Ctrl-C does, at a chosen event. */
    private abstract static class Stopper implements TrainingListener {
        TrainingRun run;
    }

    @Test
    void interruptedBetweenEpochs() throws Exception {
        interruptThenResume(
                dir.resolve("between"),
                new Stopper() {
                    @Override
                    public void onEpochEnd(EpochRecord record) {
                        if (record.epoch() == 2) {
                            run.requestStop();
                        }
                    }
                });
    }

    @Test
    void interruptedInTheMiddleOfAFineTuningEpoch() throws Exception {
        interruptThenResume(
                dir.resolve("mid-epoch"),
                new Stopper() {
                    @Override
                    public void onBatch(
                            Phase phase,
                            int epoch,
                            int batch,
                            double loss,
                            double acc,
                            double ips) {
                        if (epoch == 5 && batch == 2) {
                            run.requestStop();
                        }
                    }
                });
    }

    @Test
    void interruptedRightAfterThePhaseChange() throws Exception {
        interruptThenResume(
                dir.resolve("phase-change"),
                new Stopper() {
                    @Override
                    public void onPhaseBegin(PhaseStart start) {
                        if (start.phase() == Phase.FINE_TUNING) {
                            run.requestStop();
                        }
                    }
                });
    }

    @Test
    void aCompletedRunAnotherVersionOrChangedDataIsRefused() throws Exception {
        IllegalArgumentException completed =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TrainingRun.resume(reference, "test", QUIET));
        assertTrue(completed.getMessage().contains("the run is complete"), completed.getMessage());

        Path out = dir.resolve("changed");
        TrainingRun run = newRun(out);
        Stopper stopper =
                new Stopper() {
                    @Override
                    public void onEpochEnd(EpochRecord record) {
                        run.requestStop();
                    }
                };
        stopper.run = run;
        train(run, stopper);
        IllegalArgumentException version =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TrainingRun.resume(out, "9.9", QUIET));
        assertTrue(
                version.getMessage().contains("started by catsdogs test, this is 9.9"),
                version.getMessage());
        Path extra = data.resolve("train/cats/extra.jpg");
        Files.copy(data.resolve("train/cats/cat.0.jpg"), extra);
        try {
            IllegalArgumentException changed =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> TrainingRun.resume(out, "test", QUIET));
            assertTrue(
                    changed.getMessage().contains("changed since the run started"),
                    changed.getMessage());
        } finally {
            Files.delete(extra);
        }
    }

    private static String status(Path run) throws IOException {
        return JsonParser.parseString(Files.readString(run.resolve("report.json")))
                .getAsJsonObject()
                .get("status")
                .getAsString();
    }

    /** history.csv without its timing columns. */
    private static List<String> metrics(Path run) throws IOException {
        return Files.readAllLines(run.resolve(RunDirectory.HISTORY)).stream()
                .map(line -> String.join(",", List.of(line.split(",")).subList(0, 6)))
                .toList();
    }
}
