package dev.catsdogs.inference.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.catsdogs.inference.BuildInfo;
import dev.catsdogs.inference.ClassProbability;
import dev.catsdogs.inference.CliTestSupport;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.Prediction;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Runs {@code classify} in-process and checks its output streams and exit codes. */
class ClassifyCommandTest {

    @TempDir Path dir;
    private Path model;
    private Path images;

    private record Run(int exitCode, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
        }
    }

    private static Run run(String... args) {
        return run(false, args);
    }

    // As main() configures it, with stdout and stderr captured.
    private static Run run(boolean terminal, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new ClassifyCommand(terminal));
        commandLine.setParameterExceptionHandler(new ClassifyCommand.OneLineUsageErrors());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    // images/ holds two photos at the top, two in sub/, and a text file that must be skipped.
    @BeforeEach
    void setUp() throws Exception {
        model = CliTestSupport.writeSigmoidModel(dir.resolve("model.onnx"));
        images = Files.createDirectories(dir.resolve("images"));
        Path sub = Files.createDirectories(images.resolve("sub"));
        Files.copy(CliTestSupport.photo("dog.2001.jpg"), images.resolve("b-dog.jpg"));
        Files.copy(CliTestSupport.photo("cat.2001.jpg"), images.resolve("a-cat.JPG"));
        Files.copy(CliTestSupport.photo("cat.2003.jpg"), sub.resolve("c-cat.jpeg"));
        Files.copy(CliTestSupport.photo("dog.2003.jpg"), sub.resolve("d-dog.jpg"));
        Files.writeString(images.resolve("notes.txt"), "not an image");
    }

    @Test
    void jsonLinesForADirectoryTree() throws Exception {
        Run run = run("--model", model.toString(), "--json", images.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.lines();
        List<Path> expectedOrder =
                List.of(
                        images.resolve("a-cat.JPG"),
                        images.resolve("b-dog.jpg"),
                        images.resolve("sub/c-cat.jpeg"),
                        images.resolve("sub/d-dog.jpg"));
        assertEquals(expectedOrder.size(), lines.size(), run.out());
        try (ImageClassifier classifier = ImageClassifier.builder(model).build()) {
            for (int i = 0; i < lines.size(); i++) {
                JsonObject line = JsonParser.parseString(lines.get(i)).getAsJsonObject();
                Prediction expected = classifier.classify(expectedOrder.get(i));
                assertEquals(expectedOrder.get(i).toString(), line.get("path").getAsString());
                assertEquals(expected.label(), line.get("label").getAsString());
                assertEquals(expected.probability(), line.get("probability").getAsFloat(), 1e-6f);
                assertEquals(expected.logits()[0], line.get("logit").getAsFloat(), 1e-6f);
                assertFalse(line.has("logits"), "sigmoid models print one logit");
                assertFalse(line.has("top"), "no top array without --top");
            }
        }
    }

    @Test
    void aModelThatComputesNanIsAFailureNotInvalidJson() throws Exception {
        Path nan = CliTestSupport.writeNanModel(dir.resolve("nan.onnx"));
        Run run = run("--model", nan.toString(), "--json", images.toString());
        assertEquals(1, run.exitCode(), run.err());
        assertFalse(run.out().contains("NaN"), "never printed as a result: " + run.out());
        assertTrue(run.err().contains("computed a logit of NaN"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
    }

    @Test
    void linkedDirectoriesAreFollowedAndLoopsWalkedOnce() throws Exception {
        Path root = Files.createDirectories(dir.resolve("linked"));
        Path photos = Files.createDirectories(dir.resolve("elsewhere"));
        Files.copy(CliTestSupport.photo("cat.2000.jpg"), photos.resolve("cat.jpg"));
        Files.createSymbolicLink(root.resolve("photos"), photos);
        Files.createSymbolicLink(photos.resolve("loop"), photos); // elsewhere/loop -> elsewhere
        Run run = run("--model", model.toString(), "--json", root.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(1, run.lines().size(), "the photo once, through the link: " + run.out());
        assertTrue(run.out().contains("photos/cat.jpg"), run.out());
    }

    @Test
    void explainWritesOnePicturePerInputAndTheUsualErrorLine() throws Exception {
        Path maps = CliTestSupport.writeSigmoidModelWithMaps(dir.resolve("maps.onnx"));
        // Same file name in two folders, and one of them also as .png: three "b-dog" pictures.
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.copy(CliTestSupport.photo("dog.2002.jpg"), other.resolve("b-dog.jpg"));
        CliTestSupport.writeSmallPng(other.resolve("B-DOG.png"));
        byte[] jpeg = Files.readAllBytes(CliTestSupport.photo("dog.2002.jpg"));
        Path broken = Files.write(other.resolve("broken.jpg"), Arrays.copyOf(jpeg, 4000));
        Path out = dir.resolve("explained/deeper");
        Run run =
                run(
                        "--model",
                        maps.toString(),
                        "--explain",
                        out.toString(),
                        images.toString(),
                        other.toString());
        assertEquals(1, run.exitCode(), run.err());
        String brokenLine =
                run.lines().stream()
                        .filter(l -> l.contains("broken.jpg"))
                        .findFirst()
                        .orElseThrow();
        assertTrue(brokenLine.contains("ERROR") && brokenLine.contains("truncated"), brokenLine);
        assertEquals(7, run.lines().size() - 1, "header + 7 inputs: " + run.out());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(
                    List.of(
                            "B-DOG-2.png",
                            "a-cat.png",
                            "b-dog-3.png",
                            "b-dog.png",
                            "c-cat.png",
                            "d-dog.png"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(),
                    "a picture per good input, collisions numbered, none for broken.jpg");
        }
        java.awt.image.BufferedImage picture =
                javax.imageio.ImageIO.read(out.resolve("a-cat.png").toFile());
        java.awt.image.BufferedImage photo =
                javax.imageio.ImageIO.read(images.resolve("a-cat.JPG").toFile());
        assertEquals(photo.getWidth(), picture.getWidth(), "the photo's own size");
        assertEquals(photo.getHeight(), picture.getHeight());
    }

    @Test
    void explainThroughALinkNeverWritesOverAnInputPicture() throws Exception {
        // ln -s $PWD/pngs link; classify --explain link pngs/  once replaced pngs/photo.png.
        Path maps = CliTestSupport.writeSigmoidModelWithMaps(dir.resolve("maps.onnx"));
        Path pngs = Files.createDirectories(dir.resolve("pngs"));
        Path photo = CliTestSupport.writeSmallPng(pngs.resolve("photo.png"));
        byte[] before = Files.readAllBytes(photo);
        Path link = Files.createSymbolicLink(dir.resolve("link"), pngs);
        Run run = run("--model", maps.toString(), "--explain", link.toString(), pngs.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertArrayEquals(before, Files.readAllBytes(photo), "the input is untouched");
        assertTrue(Files.isRegularFile(pngs.resolve("photo-2.png")), "the picture beside it");
    }

    @Test
    void explainPictureNamesAreEscapedLikeTheTable() throws Exception {
        Path maps = CliTestSupport.writeSigmoidModelWithMaps(dir.resolve("maps.onnx"));
        Path odd = Files.createDirectories(dir.resolve("odd"));
        CliTestSupport.writeSmallPng(odd.resolve("esc\u001b[31mred\nline.png"));
        Path out = dir.resolve("explained");
        Run run = run("--model", maps.toString(), "--explain", out.toString(), odd.toString());
        assertEquals(0, run.exitCode(), run.err());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(
                    List.of("esc\\u001b[31mred\\nline.png"),
                    files.map(f -> f.getFileName().toString()).toList(),
                    "no control characters in a file name we create");
        }
        assertTrue(run.out().contains("esc\\u001b[31mred\\nline.png"), run.out());
    }

    @Test
    void bidirectionalControlsAndNonUtf8NamesPrintEscaped() throws Exception {
        Path odd = Files.createDirectories(dir.resolve("odd"));
        CliTestSupport.writeSmallPng(odd.resolve("cat\u202egnp.png"));
        // A Latin-1 name (0xE9, not UTF-8), made by the shell from its bytes.
        Path png = CliTestSupport.writeSmallPng(dir.resolve("plain.png"));
        Process mv =
                new ProcessBuilder(
                                "bash",
                                "-c",
                                "cp \"$1\" \"$0/$(printf 'caf\\xe9.png')\"",
                                odd.toString(),
                                png.toString())
                        .inheritIO()
                        .start();
        assertEquals(0, mv.waitFor());
        Run table = run("--model", model.toString(), odd.toString());
        assertEquals(0, table.exitCode(), table.err());
        assertTrue(table.out().contains("cat\\u202egnp.png"), table.out());
        assertFalse(table.out().contains("\u202e"), "no raw bidi control: " + table.out());
        assertTrue(table.out().contains("caf\\xE9.png"), table.out());
        assertFalse(table.out().contains("\uFFFD"), table.out());
        Run json = run("--model", model.toString(), "--json", odd.toString());
        assertTrue(json.out().contains("caf\\\\xE9.png"), "JSON keeps the mapping: " + json.out());
    }

    @Test
    void explainNeedsAModelWithMaps() {
        Path out = dir.resolve("never");
        Run run = run("--model", model.toString(), "--explain", out.toString(), images.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("has no activation maps"), run.err());
        assertTrue(run.err().contains("catsdogs export --run"), run.err());
        assertEquals("", run.out());
        assertFalse(Files.exists(out), "nothing created for a model that cannot explain");
    }

    @Test
    void badFileGetsAnErrorLineAndExitCodeOne() throws Exception {
        byte[] jpeg = Files.readAllBytes(CliTestSupport.photo("dog.2002.jpg"));
        Path broken = Files.write(images.resolve("broken.jpg"), Arrays.copyOf(jpeg, 4000));
        Run run = run("--model", model.toString(), "--json", "--batch", "3", images.toString());
        assertEquals(1, run.exitCode(), run.err());
        List<String> lines = run.lines();
        assertEquals(5, lines.size(), run.out());
        JsonObject error =
                lines.stream()
                        .map(l -> JsonParser.parseString(l).getAsJsonObject())
                        .filter(o -> o.has("error"))
                        .findFirst()
                        .orElseThrow();
        assertEquals(broken.toString(), error.get("path").getAsString());
        assertTrue(error.get("error").getAsString().contains("truncated"), error.toString());
        assertEquals(4, lines.stream().filter(l -> l.contains("\"label\"")).count());
        assertTrue(run.err().contains("1 of 5 inputs could not be classified"), run.err());
    }

    @Test
    void tableIsAligned() {
        Path file = images.resolve("b-dog.jpg");
        Run run =
                run("--model", model.toString(), file.toString(), images.resolve("sub").toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.lines();
        assertEquals(1 + 3, lines.size(), "header + 3 rows: " + run.out());
        assertTrue(lines.get(0).startsWith("PATH "), lines.get(0));
        int labelColumn = lines.get(0).indexOf("LABEL");
        int probabilityColumn = lines.get(0).indexOf("PROBABILITY");
        for (String line : lines.subList(1, lines.size())) {
            String label = line.substring(labelColumn, probabilityColumn).strip();
            assertTrue(label.equals("cats") || label.equals("dogs"), line);
            float probability = Float.parseFloat(line.substring(probabilityColumn).strip());
            assertTrue(probability >= 0.5f && probability <= 1f, line);
        }
        assertTrue(lines.get(1).startsWith(file.toString()), "arguments keep their order");
    }

    @Test
    void softmaxModelsPrintAllLogits() throws Exception {
        Path softmax = CliTestSupport.writeSoftmaxModel(dir.resolve("softmax.onnx"));
        Run run =
                run(
                        "--model",
                        softmax.toString(),
                        "--json",
                        images.resolve("b-dog.jpg").toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonObject line = JsonParser.parseString(run.out().strip()).getAsJsonObject();
        assertEquals(3, line.getAsJsonArray("logits").size());
        assertFalse(line.has("logit"));
    }

    @Test
    void topKInJsonAndTable() throws Exception {
        Path softmax = CliTestSupport.writeSoftmaxModel(dir.resolve("softmax.onnx"));
        Path dog = images.resolve("b-dog.jpg");
        Prediction expected;
        try (ImageClassifier classifier = ImageClassifier.builder(softmax).build()) {
            expected = classifier.classify(dog);
        }
        List<ClassProbability> top2 = expected.topK(2);

        Run json = run("--model", softmax.toString(), "--json", "--top", "2", dog.toString());
        assertEquals(0, json.exitCode(), json.err());
        JsonObject line = JsonParser.parseString(json.out().strip()).getAsJsonObject();
        assertEquals(expected.label(), line.get("label").getAsString(), "default fields stay");
        assertEquals(3, line.getAsJsonArray("logits").size());
        JsonArray top = line.getAsJsonArray("top");
        assertEquals(2, top.size());
        for (int k = 0; k < 2; k++) {
            JsonObject entry = top.get(k).getAsJsonObject();
            assertEquals(top2.get(k).label(), entry.get("label").getAsString());
            assertEquals(top2.get(k).probability(), entry.get("probability").getAsFloat(), 1e-6f);
        }

        Path broken = Files.write(dir.resolve("broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8});
        Run table =
                run("--model", softmax.toString(), "--top", "5", dog.toString(), broken.toString());
        assertEquals(1, table.exitCode(), table.err());
        List<String> lines = table.lines();
        assertEquals(3, lines.size(), table.out());
        assertTrue(lines.get(0).matches("PATH +LABEL +PROBABILITY +TOP"), lines.get(0));
        int topColumn = lines.get(0).indexOf("TOP");
        String expectedTop =
                expected.topK(5).stream()
                        .map(c -> String.format(Locale.ROOT, "%s %.4f", c.label(), c.probability()))
                        .collect(Collectors.joining(", "));
        assertEquals(expectedTop, lines.get(1).substring(topColumn), "all 3, most probable first");
        assertTrue(lines.get(2).startsWith(broken.toString()), lines.get(2));
        assertTrue(lines.get(2).contains("ERROR"), lines.get(2));

        Run sigmoidTop = run("--model", model.toString(), "--json", "--top", "1", dog.toString());
        JsonObject sigmoidLine = JsonParser.parseString(sigmoidTop.out().strip()).getAsJsonObject();
        JsonObject first = sigmoidLine.getAsJsonArray("top").get(0).getAsJsonObject();
        assertEquals(sigmoidLine.get("label").getAsString(), first.get("label").getAsString());
    }

    @Test
    void topMustBeAtLeastOne() {
        for (String k : new String[] {"0", "-3"}) {
            Run run = run("--model", model.toString(), "--top", k, images.toString());
            assertEquals(2, run.exitCode(), run.err());
            assertTrue(run.err().contains("Received --top " + k + "; expected >= 1"), run.err());
            assertEquals("", run.out());
        }
        assertEquals(
                2, run("--model", model.toString(), "--top", "x", images.toString()).exitCode());
    }

    @Test
    void usageErrorsExitWithTwo() {
        Run missingPath = run("--model", model.toString(), dir.resolve("nowhere").toString());
        assertEquals(2, missingPath.exitCode());
        assertTrue(
                missingPath.err().contains("PATH does not exist: " + dir.resolve("nowhere")),
                missingPath.err());

        Run missingModel = run("--model", dir.resolve("none.onnx").toString(), images.toString());
        assertEquals(2, missingModel.exitCode());
        assertTrue(missingModel.err().contains("model file not found"), missingModel.err());
        assertTrue(
                missingModel.err().contains("Train and export a model first"), missingModel.err());
        assertTrue(missingModel.err().contains("--model FILE"), missingModel.err());

        Run defaultModel = run(images.toString()); // tests run in inference/, which has no models/
        assertEquals(2, defaultModel.exitCode());
        assertTrue(
                defaultModel
                        .err()
                        .contains(Path.of("models", "catsdogs-mobilenetv2.onnx").toString()),
                defaultModel.err());

        assertEquals(
                2,
                run("--model", model.toString(), "--batch", "abc", images.toString()).exitCode());
        assertEquals(
                2, run("--model", model.toString(), "--batch", "0", images.toString()).exitCode());
        assertEquals(2, run("--frobnicate", images.toString()).exitCode());
        assertEquals(2, run().exitCode(), "PATH is required");

        Path empty = dir.resolve("empty-dir");
        Run noImages = run("--model", model.toString(), dirOf(empty));
        assertEquals(2, noImages.exitCode());
        assertTrue(noImages.err().contains("no image files"), noImages.err());

        Path garbage = dir.resolve("garbage.onnx");
        Run badModel = run("--model", writeText(garbage), images.toString());
        assertEquals(2, badModel.exitCode());
        assertTrue(badModel.err().contains(garbage.toString()), badModel.err());
    }

    @Test
    void helpAndVersion() {
        Run help = run("--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("Usage: classify"), help.out());
        assertTrue(help.out().contains("--json"), help.out());
        Run version = run("--version");
        assertEquals(0, version.exitCode());
        assertTrue(
                version.out().startsWith("catsdogs classify " + BuildInfo.version() + "\n"),
                version.out());
        assertTrue(version.out().contains("ONNX Runtime " + BuildInfo.onnxRuntimeVersion()));
    }

    @Test
    void manyInputsShowProgressOnStderrOnly() throws Exception {
        Path many = Files.createDirectories(dir.resolve("many"));
        Path png = CliTestSupport.writeSmallPng(many.resolve("img-00.png"));
        for (int i = 1; i <= Progress.ABOVE; i++) {
            Files.copy(png, many.resolve(String.format("img-%02d.png", i)));
        }
        int count = Progress.ABOVE + 1;
        Run run = run("--model", model.toString(), "--json", many.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.lines();
        assertEquals(count, lines.size());
        for (String line : lines) {
            assertTrue(line.startsWith("{\"path\":"), "stdout has only JSON: " + line);
        }
        assertTrue(run.err().contains(count + "/" + count), "progress on stderr: " + run.err());

        Run few = run("--model", model.toString(), "--json", images.toString());
        assertEquals("", few.err(), "no progress bar for a handful of inputs");
    }

    @Test
    void progressIsPlainLinesUnlessStderrIsATerminal() throws Exception {
        Path many = Files.createDirectories(dir.resolve("many"));
        Path png = CliTestSupport.writeSmallPng(many.resolve("img-00.png"));
        for (int i = 1; i < 100; i++) {
            Files.copy(png, many.resolve(String.format("img-%02d.png", i)));
        }
        Run log = run(false, "--model", model.toString(), "--json", "--batch", "10", dirOf(many));
        assertEquals(0, log.exitCode(), log.err());
        assertFalse(log.err().contains("\r"), "no carriage returns in a log: " + log.err());
        List<String> lines = log.err().lines().toList();
        assertEquals(10, lines.size(), log.err());
        assertEquals("classify: 10/100 inputs (10%)", lines.get(0));
        assertEquals("classify: 100/100 inputs (100%)", lines.get(9));

        Run terminal = run(true, "--model", model.toString(), "--json", dirOf(many));
        assertTrue(terminal.err().contains("\r"), "a bar redrawn in place: " + terminal.err());
        assertTrue(terminal.err().contains("100/100"), terminal.err());
    }

    @Test
    void progressLinesGiveTheShareDoneNotTheTenthCrossed() {
        // Batches of 16 over 58 inputs: 16 crosses the second tenth, and 16 of 58 is 27%.
        StringWriter text = new StringWriter();
        PrintWriter err = new PrintWriter(text);
        try (Progress progress = new Progress("classify", err, 58, false)) {
            for (int done = 16; done < 58 + 16; done += 16) {
                progress.advanceTo(Math.min(58, done));
            }
        }
        err.flush();
        assertEquals(
                List.of(
                        "classify: 16/58 inputs (27%)",
                        "classify: 32/58 inputs (55%)",
                        "classify: 48/58 inputs (82%)",
                        "classify: 58/58 inputs (100%)"),
                text.toString().lines().toList());
    }

    /** Every way to misuse classify: one line on stderr naming the value, and its exit code. */
    static Stream<Arguments> badArguments() {
        return Stream.of(
                Arguments.of("--batch 0 IMAGES", 2, "Received --batch 0; expected 1..1024"),
                Arguments.of("--batch -1 IMAGES", 2, "Received --batch -1; expected 1..1024"),
                Arguments.of("--batch 7000 IMAGES", 2, "Received --batch 7000; expected 1..1024"),
                Arguments.of("--batch 99999999999 IMAGES", 2, "'99999999999' is not an int"),
                Arguments.of("--batch abc IMAGES", 2, "'abc' is not an int"),
                Arguments.of(
                        "--threads -1 IMAGES",
                        2,
                        "Received --threads -1; expected 0 (all cores) .."),
                Arguments.of(
                        "--threads 100000 IMAGES", 2, "Received --threads 100000; expected 0 (all"),
                Arguments.of("--threads x IMAGES", 2, "'x' is not an int"),
                Arguments.of("--top 0 IMAGES", 2, "Received --top 0; expected >= 1"),
                Arguments.of("--top -3 IMAGES", 2, "Received --top -3; expected >= 1"),
                Arguments.of("--top x IMAGES", 2, "'x' is not an int"),
                Arguments.of("DIR/nowhere", 2, "PATH does not exist: DIR/nowhere"),
                Arguments.of("", 2, "Missing required parameter: 'PATH'"),
                Arguments.of("--frobnicate IMAGES", 2, "Unknown option: '--frobnicate'"),
                Arguments.of("--model DIR IMAGES", 2, "is a directory; pass --model FILE"),
                Arguments.of("--model /dev/zero IMAGES", 2, "is not a regular file"),
                Arguments.of("--model DIR/none.onnx IMAGES", 2, "model file not found"),
                Arguments.of("--model IMAGES/notes.txt IMAGES", 2, "cannot use model"),
                Arguments.of("DIR/images/notes.txt", 1, "1 of 1 inputs could not be classified"));
    }

    @ParameterizedTest(name = "classify {0} -> exit {1}")
    @MethodSource("badArguments")
    void badArgumentsAreOneLineWithTheirExitCode(String args, int exitCode, String message) {
        String[] argv =
                args.replace("IMAGES", images.toString()).replace("DIR", dir.toString()).split(" ");
        List<String> list = new java.util.ArrayList<>(Arrays.asList(argv));
        list.removeIf(String::isEmpty);
        if (!args.contains("--model")) {
            list.addAll(0, List.of("--model", model.toString()));
        }
        Run run = run(list.toArray(String[]::new));
        assertEquals(exitCode, run.exitCode(), run.err());
        assertTrue(
                run.err().contains(message.replace("DIR", dir.toString())),
                "'" + message + "' in: " + run.err());
        assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
    }

    @Test
    void lostOutputStopsWithExitCodeOne() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new ClassifyCommand(false));
        commandLine.setOut(
                new PrintWriter(
                        new OutputStream() {
                            @Override
                            public void write(int b) throws IOException {
                                throw new IOException("No space left on device");
                            }
                        },
                        true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode =
                commandLine.execute(
                        "--model", model.toString(), "--json", "--batch", "3", images.toString());
        assertEquals(1, exitCode, err.toString());
        assertEquals(
                "classify: cannot write results to standard output; stopped after 3 of 4\n",
                err.toString());
    }

    @Test
    void realRunIntoDevFullFailsAndWritesUtf8WhateverTheLocale() throws Exception {
        Path named = Files.copy(images.resolve("b-dog.jpg"), images.resolve("chat-\u00e9.jpg"));
        List<String> java =
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dfile.encoding=US-ASCII", // what LANG=C gives System.out
                        "-cp",
                        System.getProperty("java.class.path"),
                        ClassifyCommand.class.getName(),
                        "--model",
                        model.toString(),
                        "--json");
        ProcessBuilder full =
                new ProcessBuilder(new java.util.ArrayList<>(java))
                        .redirectOutput(new java.io.File("/dev/full"));
        full.command().add(images.toString());
        full.environment().put("LC_ALL", "C.UTF-8"); // file names decode as UTF-8
        Process process = full.start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, process.waitFor(), err);
        assertTrue(
                err.contains("classify: cannot write results to standard output; stopped after"),
                err);

        // A BMP with an unknown compression passes the header check; OpenCV refuses it and, at its
        // default log level, prints an "imdecode_ ... can't read header" line to stderr.
        byte[] bmp = Files.readAllBytes(CliTestSupport.writeSmallBmp(dir.resolve("small.bmp")));
        bmp[30] = 99;
        Path oddBmp = Files.write(dir.resolve("odd.bmp"), bmp);
        ProcessBuilder utf8 = new ProcessBuilder(new java.util.ArrayList<>(java));
        utf8.command().addAll(List.of(named.toString(), oddBmp.toString()));
        utf8.environment().put("LC_ALL", "C.UTF-8");
        utf8.environment().remove("OPENCV_LOG_LEVEL");
        Process second = utf8.start();
        byte[] out = second.getInputStream().readAllBytes();
        String secondErr =
                new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, second.waitFor(), secondErr);
        String lines = new String(out, StandardCharsets.UTF_8);
        assertTrue(lines.contains("chat-\u00e9.jpg"), lines);
        assertEquals(
                "classify: 1 of 2 inputs could not be classified",
                secondErr.strip(),
                "OpenCV's own log lines are silenced");
    }

    @Test
    void fifoInADirectoryGetsItsErrorLineToo() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("with-fifo"));
        CliTestSupport.writeSmallPng(photos.resolve("a.png"));
        assertEquals(
                0,
                new ProcessBuilder("mkfifo", photos.resolve("pipe.jpg").toString())
                        .start()
                        .waitFor());
        Run run =
                assertTimeoutPreemptively(
                        Duration.ofSeconds(30),
                        () -> run("--model", model.toString(), "--json", photos.toString()));
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(
                2, run.lines().size(), "one line per entry, the FIFO's an error: " + run.out());
        assertTrue(
                run.out().contains("pipe.jpg") && run.out().contains("not a regular file"),
                run.out());
    }

    @Test
    void fifoOnTheCommandLineIsAnErrorNotAHang() throws Exception {
        Path fifo = dir.resolve("pipe.jpg");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Run run =
                assertTimeoutPreemptively(
                        Duration.ofSeconds(20),
                        () -> run("--model", model.toString(), "--json", fifo.toString()));
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.out().contains("not a regular file"), run.out());
    }

    @Test
    void controlCharactersInNamesAreEscaped() throws Exception {
        Path png = CliTestSupport.writeSmallPng(dir.resolve("small.png"));
        Path newline = Files.copy(png, dir.resolve("two\nlines.png"));
        Path escape = Files.copy(png, dir.resolve("red\u001b[31m.png"));
        Run table = run("--model", model.toString(), newline.toString(), escape.toString());
        assertEquals(0, table.exitCode(), table.err());
        List<String> lines = table.lines();
        assertEquals(3, lines.size(), "one row per input: " + table.out());
        assertTrue(lines.get(1).startsWith(dir + "/two\\nlines.png "), lines.get(1));
        assertTrue(lines.get(2).startsWith(dir + "/red\\u001b[31m.png "), lines.get(2));
        assertFalse(table.out().contains("\u001b"), "no raw escape character");
        int labelColumn = lines.get(0).indexOf("LABEL");
        assertEquals(' ', lines.get(1).charAt(labelColumn - 1), "still aligned: " + lines.get(1));

        Run json = run("--model", model.toString(), "--json", newline.toString());
        assertEquals(1, json.lines().size(), json.out());
        assertEquals(
                newline.toString(),
                JsonParser.parseString(json.out()).getAsJsonObject().get("path").getAsString());
    }

    private static String dirOf(Path path) {
        try {
            return Files.createDirectories(path).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String writeText(Path path) {
        try {
            return Files.writeString(path, "not a model").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
