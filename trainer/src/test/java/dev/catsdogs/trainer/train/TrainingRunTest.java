package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import dev.catsdogs.inference.cli.EvaluateCommand;
import dev.catsdogs.inference.eval.MistakesPicture;
import dev.catsdogs.trainer.TestPaths;
import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.workflow.ModelExport;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The whole workflow on a small sample of real photos, plus bad files, and an interrupted run. */
class TrainingRunTest {

    @TempDir Path dir;

    /**
     * train 24+24, validation 20+20, test 10+10 real photos; train/cats also holds three broken
     * files and a .txt, and validation/dogs a valid 1,100,000 x 1 BMP that OpenCV cannot decode (it
     * once stopped samples.png and the export with a CvException).
     */
    private Path sampleData() throws Exception {
        Path data = dir.resolve("data");
        TestPaths.copyPhotos(data.resolve("train"), "train", 0, 24);
        TestPaths.copyPhotos(data.resolve("validation"), "validation", 2000, 20);
        TestPaths.copyPhotos(data.resolve("test"), "train", 500, 10);
        Path cats = data.resolve("train/cats");
        Files.createFile(cats.resolve("zero-bytes.jpg"));
        byte[] jpeg = Files.readAllBytes(cats.resolve("cat.0.jpg"));
        Files.write(cats.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 3));
        Files.writeString(cats.resolve("not-an-image.jpg"), "hello, I am text");
        Files.writeString(cats.resolve("notes.txt"), "not an image extension");
        BufferedImage wide = new BufferedImage(1_100_000, 1, BufferedImage.TYPE_3BYTE_BGR);
        ImageIO.write(wide, "bmp", data.resolve("validation/dogs/wide.bmp").toFile());
        return data;
    }

    private TrainingConfig config(
            Path data,
            Path out,
            int size,
            int epochs,
            int fineTuneEpochs,
            float rate,
            boolean cache) {
        TrainingConfig seed = TrainingConfig.of(Recipe.SEED, out);
        return seed.withSeed(7)
                .withData(
                        seed.data()
                                .withDir(data)
                                .withUrl(URI.create("http://127.0.0.1:9/unused.zip"))
                                .withImageSize(size)
                                .withBatchSize(8))
                .withFeatureExtraction(
                        seed.featureExtraction().withEpochs(epochs).withLearningRate(rate))
                .withFineTuning(seed.fineTuning().withEpochs(fineTuneEpochs))
                .withEvaluationSteps(2)
                .withRuntime(
                        seed.runtime()
                                .withDevice("cpu")
                                .withCache(cache)
                                .withCacheBudgetBytes(1L << 30)
                                .withDecoderThreads(2))
                .withOutputs(
                        seed.outputs().withSampleImages(8).withExport(true).withParityImages(8));
    }

    private static TrainingRun newRun(TrainingConfig config, Dataset dataset, PrintStream out)
            throws IOException {
        return new TrainingRun(config, TestPaths.imagenetOnnx(), dataset, out, false);
    }

    @Test
    void shortRealRunLearnsAndWritesEverything() throws Exception {
        Path data = sampleData();
        Path out = dir.resolve("run");
        // A higher head rate than the seed's 1e-4, so that 4 short epochs show learning.
        TrainingConfig config = config(data, out, 96, 4, 1, 1e-3f, true);
        Dataset dataset = Dataset.load(data, config.seed());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        TrainingRun run =
                newRun(config, dataset, new PrintStream(printed, true, StandardCharsets.UTF_8));
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork network = run.run(manager, Map.of("test", "1"), "cpu");
            String lines = printed.toString(StandardCharsets.UTF_8);
            System.out.print(lines);
            assertTrue(
                    lines.contains(
                            "warning: 3 of 27 'cats' training images (11%) could not be decoded"),
                    "3 broken files are over 10% of the cats: " + lines);
            ModelExport.Result export =
                    ModelExport.export(
                            run.directory(), null, network, dataset, config, 8, false, () -> false);
            assertTrue(export.passed(), "parity " + export.maxAbsLogitDiff());
            ErrorPictures.Summary mistakes =
                    ErrorPictures.write(run.directory(), export.file(), dataset, () -> false);
            assertEquals("test", mistakes.split(), "the held-out split when there is one");
            assertEquals(20, mistakes.images());
            double onnxAccuracy = 1 - mistakes.wrong() / 20.0;
            double djlAccuracy =
                    JsonParser.parseString(Files.readString(out.resolve("report.json")))
                            .getAsJsonObject()
                            .getAsJsonObject("test")
                            .get("accuracy")
                            .getAsDouble();
            assertEquals(djlAccuracy, onnxAccuracy, 1e-9, "the ONNX model errs where DJL does");
            BufferedImage errors = ImageIO.read(out.resolve("errors.png").toFile());
            int rows = (Math.min(mistakes.wrong(), MistakesPicture.MAX_SHOWN) + 3) / 4;
            assertTrue(errors.getHeight() > rows * 224, "a row of tiles per 4 mistakes");
            assertEvaluationAsEvaluateGivesIt(out, export.file(), data, mistakes);
        }
        for (String file :
                List.of(
                        "config.json",
                        "report.json",
                        "history.csv",
                        "curves.png",
                        "samples.png",
                        "summary.txt",
                        "model.params",
                        "model.onnx",
                        "errors.png",
                        "confusion.png")) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        JsonObject written =
                JsonParser.parseString(Files.readString(out.resolve("config.json")))
                        .getAsJsonObject();
        assertEquals("cpu", written.get("training_device").getAsString(), "where it trained");
        JsonObject report =
                JsonParser.parseString(Files.readString(out.resolve("report.json")))
                        .getAsJsonObject();
        assertEquals("completed", report.get("status").getAsString());
        assertEquals("cpu", report.get("training_device").getAsString());
        JsonObject d = report.getAsJsonObject("data");
        assertEquals(
                51, d.get("train").getAsInt(), "48 photos + 3 broken files with image extensions");
        assertEquals(41, d.get("validation").getAsInt(), "40 photos + the wide BMP");
        assertEquals(20, d.get("test").getAsInt());
        assertEquals(5, d.get("skipped_count").getAsInt(), d.get("skipped").toString());
        assertTrue(d.get("skipped").toString().contains("1048576"), "OpenCV's limit, named");
        for (String key : List.of("val_accuracy", "val_loss")) {
            assertTrue(report.getAsJsonObject("initial").has(key), key);
        }
        for (String phase : List.of("feature_extraction", "fine_tuning")) {
            for (String key : List.of("val_accuracy", "val_loss", "seconds")) {
                assertTrue(report.getAsJsonObject(phase).has(key), phase + "." + key);
            }
        }
        double accuracy = report.getAsJsonObject("fine_tuning").get("val_accuracy").getAsDouble();
        assertTrue(
                accuracy >= 0.8,
                "40 validation photos: accuracy " + accuracy + " must clearly beat chance");
        assertTrue(report.getAsJsonObject("test").get("accuracy").getAsDouble() >= 0.75);
        assertTrue(report.getAsJsonObject("test").has("confusion_matrix"));
        List<String> history = Files.readAllLines(out.resolve("history.csv"));
        assertEquals(1 + 5, history.size(), "header + 5 epochs");
        assertTrue(history.get(5).startsWith("5,fine_tuning,"), history.get(5));
    }

    /**
     * report.json's {@code evaluation} block: validation and test figures of the exported model,
     * the test ones exactly what {@code catsdogs evaluate --json} prints for the same data.
     */
    private static void assertEvaluationAsEvaluateGivesIt(
            Path out, Path model, Path data, ErrorPictures.Summary mistakes) throws IOException {
        JsonObject evaluation =
                JsonParser.parseString(Files.readString(out.resolve("report.json")))
                        .getAsJsonObject()
                        .getAsJsonObject("evaluation");
        assertEquals(model.toString(), evaluation.get("model").getAsString());
        JsonObject validation = evaluation.getAsJsonObject("validation");
        assertEquals(40, validation.get("images").getAsInt(), "41 files, the wide BMP unreadable");
        JsonObject test = evaluation.getAsJsonObject("test");
        assertEquals(20, test.get("images").getAsInt());
        for (String label : List.of("cats", "dogs")) {
            JsonObject figures = test.getAsJsonObject("per_class").getAsJsonObject(label);
            assertEquals(10, figures.get("support").getAsInt(), label);
            for (String key : List.of("precision", "recall", "f1")) {
                assertTrue(figures.has(key), label + "." + key);
            }
        }
        JsonArray confusion = test.getAsJsonArray("confusion");
        int right =
                confusion.get(0).getAsJsonArray().get(0).getAsInt()
                        + confusion.get(1).getAsJsonArray().get(1).getAsInt();
        assertEquals(20 - mistakes.wrong(), right, "the diagonal holds what errors.png does not");
        assertTrue(test.has("auc"), "two classes");

        StringWriter printed = new StringWriter();
        int exitCode =
                new CommandLine(new EvaluateCommand())
                        .setOut(new PrintWriter(printed, true))
                        .setErr(new PrintWriter(new StringWriter(), true))
                        .execute("--model", model.toString(), "--data", data.toString(), "--json");
        assertEquals(0, exitCode, printed.toString());
        JsonObject evaluate = JsonParser.parseString(printed.toString()).getAsJsonObject();
        assertEquals("test", evaluate.get("split").getAsString());
        for (String key : test.keySet()) {
            assertEquals(
                    test.get(key), evaluate.get(key), key + ": evaluate and report.json agree");
        }
    }

    @Test
    void interruptedRunLeavesConsistentFiles() throws Exception {
        Path data = sampleData();
        Path out = dir.resolve("interrupted");
        TrainingConfig config = config(data, out, 64, 50, 0, 1e-4f, false);
        Dataset dataset = Dataset.load(data, config.seed());
        TrainingRun run = newRun(config, dataset, new PrintStream(System.out));
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread worker =
                new Thread(
                        () -> {
                            try (NDManager manager = NDManager.newBaseManager()) {
                                run.run(manager, Map.of(), "cpu");
                            } catch (Throwable t) {
                                outcome.set(t);
                            }
                        });
        worker.start();
        Path history = out.resolve("history.csv");
        while (worker.isAlive()
                && (!Files.exists(history) || Files.readAllLines(history).size() < 3)) {
            Thread.sleep(50);
        }
        run.requestStop(); // what the Ctrl-C hook does
        worker.join(60_000);
        assertInstanceOf(
                TrainingInterruptedException.class, outcome.get(), String.valueOf(outcome.get()));

        JsonObject report =
                JsonParser.parseString(Files.readString(out.resolve("report.json")))
                        .getAsJsonObject();
        assertEquals("interrupted", report.get("status").getAsString());
        assertTrue(report.get("interrupted").getAsBoolean());
        int epochs = report.getAsJsonObject("feature_extraction").get("epochs").getAsInt();
        assertTrue(epochs >= 2 && epochs < 50, "epochs " + epochs);
        assertEquals(epochs + 1, Files.readAllLines(history).size(), "history and report agree");
        try (NDManager manager = NDManager.newBaseManager();
                InputStream in = Files.newInputStream(out.resolve("model.params"))) {
            TransferNetwork network = TransferNetwork.create(64, 2);
            network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            network.loadParameters(manager, new DataInputStream(in)); // complete, not half-written
        }
        try (var files = Files.list(out)) {
            assertTrue(
                    files.noneMatch(p -> p.getFileName().toString().contains(".tmp")),
                    "no temp files left");
        }
    }

    @Test
    void divergingTrainingStopsWithAClearErrorAndAFailedReport() throws Exception {
        Path data = sampleData();
        Path out = dir.resolve("diverged");
        // A rate near Float.MAX_VALUE: the first update overflows the head's weights.
        TrainingConfig config = config(data, out, 32, 3, 0, 3e38f, true);
        Dataset dataset = Dataset.load(data, config.seed());
        TrainingRun run = newRun(config, dataset, new PrintStream(System.out));
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferTrainer.TrainingDivergedException e =
                    assertThrows(
                            TransferTrainer.TrainingDivergedException.class,
                            () -> run.run(manager, Map.of(), "cpu"));
            assertTrue(e.getMessage().contains("epoch 1"), e.getMessage());
        }
        String text = Files.readString(out.resolve("report.json"));
        JsonReader strict = new JsonReader(new StringReader(text));
        strict.setStrictness(Strictness.STRICT);
        JsonObject report = JsonParser.parseReader(strict).getAsJsonObject();
        assertEquals("failed", report.get("status").getAsString());
        assertTrue(report.get("error").getAsString().contains("training stopped"), text);
        assertFalse(Files.exists(out.resolve("model.onnx")));
    }

    @Test
    void aClassWithoutUsableTrainingImagesIsRefused() throws Exception {
        Path data = sampleData();
        try (var dogs = Files.list(data.resolve("train/dogs"))) {
            for (Path dog : dogs.toList()) {
                Files.writeString(dog, "a text file named like a photo");
            }
        }
        Path out = dir.resolve("one-class");
        TrainingConfig config = config(data, out, 32, 2, 0, 1e-4f, true);
        Dataset dataset = Dataset.load(data, config.seed());
        TrainingRun run = newRun(config, dataset, new PrintStream(System.out));
        try (NDManager manager = NDManager.newBaseManager()) {
            DataCheck.TrainingDataException e =
                    assertThrows(
                            DataCheck.TrainingDataException.class,
                            () -> run.run(manager, Map.of(), "cpu"));
            assertTrue(
                    e.getMessage().contains("class 'dogs' has no usable training image"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("dog.0.jpg"), "names an example: " + e.getMessage());
        }
        JsonObject report =
                JsonParser.parseString(Files.readString(out.resolve("report.json")))
                        .getAsJsonObject();
        assertEquals("failed", report.get("status").getAsString());
        String error = report.get("error").getAsString();
        assertTrue(error.startsWith("class 'dogs' has no usable training image"), error);
        assertFalse(error.contains("Exception") || error.contains("$"), "no Java names: " + error);
        JsonObject dataSection = report.getAsJsonObject("data");
        assertTrue(
                dataSection.get("skipped_count").getAsInt() >= 24,
                "the 24 dogs counted: " + dataSection);
        assertEquals(
                dataSection.getAsJsonArray("skipped").size(),
                dataSection.get("skipped_count").getAsInt());
    }
}
