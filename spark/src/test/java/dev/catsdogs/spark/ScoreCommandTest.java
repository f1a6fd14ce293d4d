package dev.catsdogs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.Prediction;
import dev.catsdogs.inference.cli.ClassifyCommand;
import dev.catsdogs.spark.cli.ScoreCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code score} on local[2], as the CLI runs it: the 1,000 validation photos plus bad files give
 * one row per file, every good row as {@code ImageClassifier.classify} gives it, every bad file an
 * error row; an existing output needs {@code --overwrite}; a bad model fails as {@code classify}
 * does, before anything else.
 */
class ScoreCommandTest {

    @TempDir static Path dir;
    static Path bad;
    static List<String> badNames;

    @BeforeAll
    static void badFiles() throws Exception {
        bad = dir.resolve("bad");
        badNames =
                TestData.writeBadFiles(
                        bad, TestData.photos("validation").resolve("cats/cat.2000.jpg"));
    }

    @Test
    void everyValidationPhotoScoresAsClassifyGivesItAndBadFilesAreErrorRows() throws Exception {
        Path validation = TestData.photos("validation");
        Path out = dir.resolve("scored");
        TestData.Run run =
                TestData.run(
                        new ScoreCommand(),
                        "--input",
                        validation.toString(),
                        "--input",
                        bad.toString(),
                        "--output",
                        out.toString(),
                        "--model",
                        TestData.model().toString(),
                        "--master",
                        "local[2]",
                        "--conf",
                        "spark.ui.showConsoleProgress=false");
        assertEquals(0, run.code(), run.err());

        List<Path> expected = new ArrayList<>(TestData.imageFiles(validation));
        expected.addAll(TestData.imageFiles(bad));
        assertEquals(1000 + 5, expected.size(), "test data: 1000 photos + 4 bad + COPY.JPEG");
        Map<Path, Row> rows = readParquet(out);
        assertEquals(expected.size(), rows.size(), "one row per image file (and no notes.txt)");
        assertEquals(java.util.Set.copyOf(expected), rows.keySet());

        String sha = ModelFile.sha256(TestData.model());
        int compared = 0;
        try (ImageClassifier classifier = ImageClassifier.builder(TestData.model()).build()) {
            for (Path file : expected) {
                Row row = rows.get(file);
                assertEquals(sha, row.getAs("model_sha256"));
                if (badNames.contains(file.getFileName().toString())) {
                    assertNull(row.getAs("label"), file.toString());
                    assertNull(row.getAs("logit"), file.toString());
                    assertNotNull(row.getAs("error"), file + " must be an error row");
                    continue;
                }
                Prediction p = classifier.classify(file);
                assertNull(row.getAs("error"), file.toString());
                assertEquals(p.label(), row.getAs("label"), file.toString());
                assertEquals(p.logits()[0], (float) row.getAs("logit"), 1e-5f, file.toString());
                assertEquals(p.probability(), (float) row.getAs("probability"), 1e-5f);
                compared++;
            }
        }
        assertEquals(1001, compared);
        String bomb = rows.get(TestData.real(bad.resolve("bomb.png"))).getAs("error");
        assertTrue(bomb.contains("over the limit"), bomb);

        assertTrue(run.out().contains("images scored: 1005"), run.out());
        assertTrue(run.out().contains("errors: 4"), run.out());
        assertTrue(run.out().matches("(?s).*images/s: \\d+\\.\\d.*"), run.out());
    }

    @Test
    void anExistingOutputNeedsOverwrite() throws Exception {
        Path out = Files.createDirectories(dir.resolve("existing"));
        Path keep = Files.writeString(out.resolve("keep.txt"), "mine");
        String[] args = {
            "--input",
            bad.toString(),
            "--output",
            out.toString(),
            "--model",
            TestData.model().toString(),
            "--master",
            "local[2]",
            "--conf",
            "spark.ui.showConsoleProgress=false",
            "--format",
            "csv"
        };
        TestData.Run refused = TestData.run(new ScoreCommand(), args);
        assertEquals(2, refused.code(), refused.err());
        assertTrue(
                refused.err().contains("output " + out + " already exists; pass --overwrite"),
                refused.err());
        assertEquals("mine", Files.readString(keep));

        List<String> withOverwrite = new ArrayList<>(List.of(args));
        withOverwrite.add("--overwrite");
        TestData.Run replaced =
                TestData.run(new ScoreCommand(), withOverwrite.toArray(String[]::new));
        assertEquals(0, replaced.code(), replaced.err());
        assertFalse(Files.exists(keep));
        List<String> lines = new ArrayList<>();
        try (var parts = Files.list(out)) {
            for (Path part : parts.filter(p -> p.toString().endsWith(".csv")).toList()) {
                List<String> partLines = Files.readAllLines(part);
                assertEquals("path,label,probability,logit,error,model_sha256", partLines.get(0));
                lines.addAll(partLines.subList(1, partLines.size()));
            }
        }
        assertEquals(5, lines.size(), String.join("\n", lines));
        assertTrue(replaced.out().contains("images scored: 5"), replaced.out());
        assertTrue(replaced.out().contains("errors: 4"), replaced.out());
    }

    @Test
    void aMissingOrInvalidModelFailsAsClassifyDoesBeforeAnyImageIsRead() throws Exception {
        Path notAModel = Files.writeString(dir.resolve("not-a-model.onnx"), "not ONNX");
        for (Path model : List.of(dir.resolve("missing.onnx"), notAModel)) {
            TestData.Run classify =
                    TestData.run(
                            new ClassifyCommand(),
                            "--model",
                            model.toString(),
                            TestData.photos("validation").resolve("cats/cat.2000.jpg").toString());
            Path out = dir.resolve("never-written");
            TestData.Run score =
                    TestData.run(
                            new ScoreCommand(),
                            "--input",
                            dir.resolve("no-such-input").toString(),
                            "--output",
                            out.toString(),
                            "--model",
                            model.toString());
            assertEquals(2, classify.code(), classify.err());
            assertEquals(2, score.code(), score.err());
            assertEquals(classify.err().replace("classify:", "score:"), score.err());
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void aMissingLocalInputIsOneLineBeforeSparkStarts() throws Exception {
        Path out = dir.resolve("not-written");
        TestData.Run score =
                TestData.run(
                        new ScoreCommand(),
                        "--input",
                        dir.resolve("no-such-input").toString(),
                        "--output",
                        out.toString(),
                        "--model",
                        TestData.model().toString());
        assertEquals(2, score.code(), score.err());
        assertEquals(
                "score: --input " + dir.resolve("no-such-input") + ": not found",
                score.err().strip());
        assertFalse(Files.exists(out));
    }

    // path (as a real local path) -> row; a fresh session, as the command stopped its own
    private static Map<Path, Row> readParquet(Path out) {
        SparkSession spark = SparkSessions.builder("read", "local[2]", Map.of()).getOrCreate();
        try {
            Map<Path, Row> rows = new HashMap<>();
            for (Row row : spark.read().parquet(out.toString()).collectAsList()) {
                Row previous = rows.put(TestData.fromSpark(row.getAs("path")), row);
                assertNull(previous, "two rows for " + row.getAs("path"));
            }
            return rows;
        } finally {
            spark.stop();
        }
    }
}
