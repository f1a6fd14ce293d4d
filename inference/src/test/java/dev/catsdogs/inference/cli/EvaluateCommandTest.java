package dev.catsdogs.inference.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.catsdogs.inference.CliTestSupport;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs {@code evaluate} in-process on solid-colour images whose probabilities are known, so that
 * every figure it prints can be checked against one worked out by hand.
 */
class EvaluateCommandTest {

    private static final double EXACT = 1e-9;

    @TempDir Path dir;
    private Path model;
    private Path data;

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new EvaluateCommand(false));
        commandLine.setParameterExceptionHandler(new ClassifyCommand.OneLineUsageErrors());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    /** Parses {@code text} as exactly one strict JSON document (no NaN, nothing after it). */
    private static JsonObject strictJson(String text) throws IOException {
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        JsonObject json = JsonParser.parseReader(reader).getAsJsonObject();
        assertEquals(JsonToken.END_DOCUMENT, reader.peek(), "one document: " + text);
        return json;
    }

    /**
     * The test sigmoid model gives a solid image of colour (r, 255, 255) the logit {@code 2.5 (r /
     * 127.5 - 1) - 0.55}: dogs from r = 156. The red values stand for the scores of {@code
     * ClassificationMetricsTest}'s nine images, in the same order (three tie at r = 120):
     *
     * <pre>
     * cats: r =  20 -> cats, 120 -> cats,  90 -> cats, 200 -> dogs, 120 -> cats
     * dogs: r = 240 -> dogs, 120 -> cats, 180 -> dogs,  40 -> cats
     * </pre>
     */
    @BeforeEach
    void setUp() throws Exception {
        model = CliTestSupport.writeSigmoidModelWithMaps(dir.resolve("model.onnx"));
        data = dir.resolve("photos");
        writeSolids(data.resolve("cats"), 20, 120, 90, 200, 120);
        writeSolids(data.resolve("dogs"), 240, 120, 180, 40);
    }

    private static void writeSolids(Path folder, int... reds) throws IOException {
        Files.createDirectories(folder);
        for (int i = 0; i < reds.length; i++) {
            CliTestSupport.writeSolidPng(
                    folder.resolve("r" + i + "-" + reds[i] + ".png"), reds[i] << 16 | 0xFFFF);
        }
    }

    private static double number(JsonObject json, String... path) {
        JsonElement e = json;
        for (String key : path) {
            e = e.getAsJsonObject().get(key);
        }
        return e.getAsDouble();
    }

    @Test
    void jsonFiguresAreTheOnesWorkedOutByHand() throws Exception {
        Run run = run("--model", model.toString(), "--data", data.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err(), "nothing to say for nine good images");
        JsonObject json = strictJson(run.out());
        assertEquals(List.of("cats", "dogs"), strings(json.getAsJsonArray("labels")));
        assertEquals(9, json.get("images").getAsInt());
        assertEquals(6.0 / 9, number(json, "accuracy"), EXACT);
        assertEquals(
                JsonParser.parseString("[[4,1],[2,2]]"),
                json.get("confusion"),
                "rows are true classes, in label order");
        assertEquals(2.0 / 3, number(json, "per_class", "cats", "precision"), EXACT);
        assertEquals(4.0 / 5, number(json, "per_class", "cats", "recall"), EXACT);
        assertEquals(8.0 / 11, number(json, "per_class", "cats", "f1"), EXACT);
        assertEquals(5, number(json, "per_class", "cats", "support"));
        assertEquals(2.0 / 3, number(json, "per_class", "dogs", "precision"), EXACT);
        assertEquals(1.0 / 2, number(json, "per_class", "dogs", "recall"), EXACT);
        assertEquals(4.0 / 7, number(json, "per_class", "dogs", "f1"), EXACT);
        assertEquals(4, number(json, "per_class", "dogs", "support"));
        assertEquals(13.0 / 20, number(json, "macro_avg", "recall"), EXACT);
        assertEquals(50.0 / 77, number(json, "macro_avg", "f1"), EXACT);
        assertEquals(152.0 / 231, number(json, "weighted_avg", "f1"), EXACT);
        assertEquals(13.0 / 20, number(json, "auc"), EXACT, "ties at r = 120 count one half");
        assertFalse(json.has("top5_accuracy"), "two classes");
        assertTrue(json.get("split").isJsonNull(), "class folders, no split");
        assertEquals(data.toString(), json.get("data").getAsString());
        assertEquals(model.toString(), json.get("model").getAsString());
        assertEquals(0, json.getAsJsonArray("unreadable").size());
    }

    private static List<String> strings(JsonArray array) {
        return array.asList().stream().map(JsonElement::getAsString).toList();
    }

    @Test
    void tablePrintsTheSameFigures() {
        Run run = run("--model", model.toString(), "--data", data.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.contains("data            " + data), run.out());
        assertTrue(lines.contains("images          9"), run.out());
        assertTrue(lines.contains("accuracy        0.667"), run.out());
        assertTrue(lines.contains("ROC AUC         0.650 (dogs scored against cats)"), run.out());
        assertTrue(lines.contains("class         precision  recall      f1  support"), run.out());
        assertTrue(lines.contains("cats              0.667   0.800   0.727        5"), run.out());
        assertTrue(lines.contains("dogs              0.667   0.500   0.571        4"), run.out());
        assertTrue(lines.contains("macro avg         0.667   0.650   0.649        9"), run.out());
        assertTrue(lines.contains("weighted avg      0.667   0.667   0.658        9"), run.out());
        int matrix = lines.indexOf("confusion matrix (rows: true class, columns: predicted class)");
        assertTrue(matrix > 0, run.out());
        assertEquals(
                List.of("      cats  dogs", "cats     4     1", "dogs     2     2"),
                lines.subList(matrix + 1, matrix + 4));
    }

    @Test
    void aClassFolderTheModelDoesNotKnowIsAUsageError() throws Exception {
        writeSolids(data.resolve("foxes"), 30);
        Run run = run("--model", model.toString(), "--data", data.toString());
        assertEquals(2, run.exitCode());
        assertEquals("", run.out());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(
                run.err()
                        .contains(
                                "class folder "
                                        + data.resolve("foxes")
                                        + " is not a label of the model (its labels: cats, dogs)"),
                run.err());
    }

    @Test
    void anUnreadableImageIsCountedAndListedNotFatal() throws Exception {
        Path broken = data.resolve("cats/broken.png");
        Files.writeString(broken, "not a PNG");
        Run run = run("--model", model.toString(), "--data", data.toString(), "--json");
        assertEquals(1, run.exitCode(), "an image failed: " + run.err());
        JsonObject json = strictJson(run.out());
        assertEquals(9, json.get("images").getAsInt(), "the figures are of the nine others");
        assertEquals(JsonParser.parseString("[[4,1],[2,2]]"), json.get("confusion"));
        JsonArray unreadable = json.getAsJsonArray("unreadable");
        assertEquals(1, unreadable.size());
        assertEquals(
                broken.toString(), unreadable.get(0).getAsJsonObject().get("path").getAsString());
        assertFalse(unreadable.get(0).getAsJsonObject().get("error").getAsString().isBlank());
        assertTrue(run.err().contains("evaluate: 1 of 10 images could not be read"), run.err());

        Run table = run("--model", model.toString(), "--data", data.toString());
        assertEquals(1, table.exitCode());
        assertTrue(table.out().contains("accuracy        0.667"), table.out());
        assertTrue(
                table.out()
                        .contains("unreadable images, not in the figures: 1\n  " + broken + ": "),
                table.out());
    }

    @Test
    void noReadableImageAtAllFailsWithOneLine() throws Exception {
        Path junk = dir.resolve("junk");
        Files.createDirectories(junk.resolve("cats"));
        Files.writeString(junk.resolve("cats/a.jpg"), "text");
        Run run = run("--model", model.toString(), "--data", junk.toString());
        assertEquals(1, run.exitCode());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith("evaluate: none of the 1 images could be read"), run.err());
    }

    @Test
    void aSplitLayoutUsesItsTestFolderElseValidation() throws Exception {
        Path split = dir.resolve("split");
        writeSolids(split.resolve("train/cats"), 10);
        writeSolids(split.resolve("train/dogs"), 250);
        writeSolids(split.resolve("validation/cats"), 20, 30);
        writeSolids(split.resolve("validation/dogs"), 240);
        Run validation = run("--model", model.toString(), "--data", split.toString(), "--json");
        assertEquals(0, validation.exitCode(), validation.err());
        JsonObject json = strictJson(validation.out());
        assertEquals("validation", json.get("split").getAsString());
        assertEquals(split.resolve("validation").toString(), json.get("data").getAsString());
        assertEquals(3, json.get("images").getAsInt());
        Run table = run("--model", model.toString(), "--data", split.toString());
        assertTrue(table.out().contains("(the validation split; there is no test/)"), table.out());

        writeSolids(split.resolve("test/dogs"), 240, 250);
        JsonObject test =
                strictJson(
                        run("--model", model.toString(), "--data", split.toString(), "--json")
                                .out());
        assertEquals("test", test.get("split").getAsString());
        assertEquals(2, test.get("images").getAsInt());
        assertTrue(test.get("auc").isJsonNull(), "one class has no images: no AUC, and no NaN");
    }

    @Test
    void outWritesTheJsonAndBothPictures() throws Exception {
        Path out = dir.resolve("report");
        Run run =
                run(
                        "--model",
                        model.toString(),
                        "--data",
                        data.toString(),
                        "--json",
                        "--out",
                        out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(
                strictJson(run.out()),
                strictJson(Files.readString(out.resolve("evaluation.json"))),
                "the file holds what --json prints");
        BufferedImage confusion = ImageIO.read(out.resolve("confusion.png").toFile());
        assertTrue(confusion.getWidth() > 200 && confusion.getHeight() > 200);
        BufferedImage errors = ImageIO.read(out.resolve("errors.png").toFile());
        assertTrue(errors.getHeight() > 224, "one row of the three mistakes");
        try (var files = Files.list(out)) {
            assertEquals(3, files.count(), "no temporary file left");
        }

        Run again =
                run(
                        "--model",
                        model.toString(),
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString());
        assertEquals(0, again.exitCode(), "its own files are replaced: " + again.err());
    }

    @Test
    void outNeverTouchesOtherFiles() throws Exception {
        Path out = Files.createDirectories(dir.resolve("mine"));
        Path notes = Files.writeString(out.resolve("notes.txt"), "keep me");
        Run run =
                run(
                        "--model",
                        model.toString(),
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString());
        assertEquals(2, run.exitCode());
        assertTrue(
                run.err().contains("holds files evaluate does not write (notes.txt)"), run.err());
        assertEquals("keep me", Files.readString(notes));
        try (var files = Files.list(out)) {
            assertEquals(1, files.count());
        }

        Run inside =
                run(
                        "--model",
                        model.toString(),
                        "--data",
                        data.toString(),
                        "--out",
                        data.resolve("cats/out").toString());
        assertEquals(2, inside.exitCode());
        assertTrue(inside.err().contains("is inside --data"), inside.err());
        assertFalse(Files.exists(data.resolve("cats/out")));

        Run file =
                run(
                        "--model",
                        model.toString(),
                        "--data",
                        data.toString(),
                        "--out",
                        notes.toString());
        assertEquals(2, file.exitCode());
        assertTrue(file.err().contains("exists and is not a directory"), file.err());
    }

    @Test
    void outNeedsActivationMaps() throws Exception {
        Path plain = CliTestSupport.writeSigmoidModel(dir.resolve("plain.onnx"));
        Run run =
                run(
                        "--model",
                        plain.toString(),
                        "--data",
                        data.toString(),
                        "--out",
                        dir.resolve("o").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("has no activation maps"), run.err());
        assertFalse(Files.exists(dir.resolve("o")));
        assertEquals(0, run("--model", plain.toString(), "--data", data.toString()).exitCode());
    }

    /**
     * Six classes a..f: the test softmax model's logit j of a solid image is {@code (j + 1) R - j
     * G} (scaled channels), so (0, 255, 0) ranks a first and (255, 0, 0) ranks f first, a last.
     *
     * <pre>
     * a/ green -> a (right, top-5 hit); a/ red -> f (wrong; a is 6th: top-5 miss)
     * c/ red -> f (wrong; c is 4th: top-5 hit); f/ red -> f (right, hit)
     * </pre>
     *
     * Accuracy 2/4, top-5 accuracy 3/4.
     */
    @Test
    void softmaxModelWithFiveClassesOrMoreGetsTopFive() throws Exception {
        Path softmax =
                CliTestSupport.writeSoftmaxModel(
                        dir.resolve("six.onnx"), List.of("a", "b", "c", "d", "e", "f"));
        Path six = dir.resolve("six");
        Files.createDirectories(six.resolve("a"));
        CliTestSupport.writeSolidPng(six.resolve("a/green.png"), 0x00FF00);
        CliTestSupport.writeSolidPng(six.resolve("a/red.png"), 0xFF0000);
        Files.createDirectories(six.resolve("c"));
        CliTestSupport.writeSolidPng(six.resolve("c/red.png"), 0xFF0000);
        Files.createDirectories(six.resolve("f"));
        CliTestSupport.writeSolidPng(six.resolve("f/red.png"), 0xFF0000);
        Run run = run("--model", softmax.toString(), "--data", six.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject json = strictJson(run.out());
        assertEquals(0.5, number(json, "accuracy"), EXACT);
        assertEquals(0.75, number(json, "top5_accuracy"), EXACT);
        assertFalse(json.has("auc"), "six classes");
        assertEquals(0, number(json, "per_class", "b", "support"), "no folder: support 0");
        assertEquals(
                JsonParser.parseString(
                        "[[1,0,0,0,0,1],[0,0,0,0,0,0],[0,0,0,0,0,1],"
                                + "[0,0,0,0,0,0],[0,0,0,0,0,0],[0,0,0,0,0,1]]"),
                json.get("confusion"));
        Run table = run("--model", softmax.toString(), "--data", six.toString());
        assertTrue(table.out().contains("top-5 accuracy  0.750"), table.out());
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() throws Exception {
        Path emptyData = dir.resolve("empty");
        Files.createDirectories(emptyData.resolve("cats"));
        String[][] cases = {
            {"--model", model.toString()},
            {"--model", model.toString(), "--data", dir.resolve("nope").toString()},
            {"--model", model.toString(), "--data", data.toString(), "--batch", "0"},
            {"--model", model.toString(), "--data", data.toString(), "--threads", "-1"},
            {"--model", dir.resolve("none.onnx").toString(), "--data", data.toString()},
            {"--model", model.toString(), "--data", emptyData.toString()},
            {"--model", model.toString(), "--data", dir.toString()}
        };
        for (String[] args : cases) {
            Run run = run(args);
            assertEquals(2, run.exitCode(), String.join(" ", args) + ": " + run.err());
            assertEquals(1, run.err().lines().count(), run.err());
            assertTrue(run.err().startsWith("evaluate: "), run.err());
            assertEquals("", run.out());
        }
        Run help = run("--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("Usage: evaluate"), help.out());
        assertTrue(help.out().contains("--out=DIR"), help.out());
    }

    @Test
    void shippedFloatAndInt8ModelsEvaluateRealPhotos() throws Exception {
        Path photos = dir.resolve("real");
        for (String kind : List.of("cat", "dog")) {
            Path folder = Files.createDirectories(photos.resolve(kind + "s"));
            for (int i = 2000; i < 2005; i++) {
                String name = kind + "." + i + ".jpg";
                Files.copy(CliTestSupport.photo(name), folder.resolve(name));
            }
        }
        Path models = Path.of(System.getProperty("catsdogs.root", "..")).resolve("models");
        for (String file : List.of("catsdogs-mobilenetv2.onnx", "catsdogs-mobilenetv2-int8.onnx")) {
            Run run =
                    run(
                            "--model",
                            models.resolve(file).toString(),
                            "--data",
                            photos.toString(),
                            "--json");
            assertEquals(0, run.exitCode(), file + ": " + run.err());
            JsonObject json = strictJson(run.out());
            assertEquals(10, json.get("images").getAsInt(), file);
            assertEquals(1.0, number(json, "accuracy"), file + ": " + json);
            assertEquals(1.0, number(json, "auc"), file);
        }
    }

    /** The README's example: the shipped model on the validation split of the shared data. */
    @Test
    void shippedModelOnTheSharedValidationSplit() {
        Path shared = CliTestSupport.sharedCatsAndDogs();
        Assumptions.assumeTrue(Files.isDirectory(shared), "no shared data at " + shared);
        Path models = Path.of(System.getProperty("catsdogs.root", "..")).resolve("models");
        Run run =
                run(
                        "--model",
                        models.resolve("catsdogs-mobilenetv2.onnx").toString(),
                        "--data",
                        shared.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.contains("images          1000"), run.out());
        assertTrue(lines.contains("accuracy        0.980"), run.out());
        assertTrue(run.out().contains("(the validation split; there is no test/)"), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("cats +0\\.9\\d\\d .* 500")), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("dogs +0\\.9\\d\\d .* 500")), run.out());
        assertTrue(
                run.err().contains("evaluate: 1000/1000 inputs (100%)"),
                "progress on stderr: " + run.err());
    }
}
