package dev.catsdogs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.Prediction;
import dev.catsdogs.inference.cli.ClassifyCommand;
import dev.catsdogs.inference.cli.ImageFiles;
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
 * {@code score} on local[2], as the CLI runs it: the 1,000 validation photos plus bad and odd files
 * give one row per file, every row as {@code ImageClassifier.classify} gives it (a prediction or
 * the same error); only an earlier score output is replaced, and a failed job leaves it as it was;
 * a bad model fails as {@code classify} does, before anything else.
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
    void everyFileScoresAsClassifyGivesItWhateverItsNameOrKind() throws Exception {
        Path validation = TestData.photos("validation");
        Path odd = dir.resolve("odd");
        List<Path> oddFiles = TestData.writeOddFiles(odd, validation.resolve("dogs/dog.2000.jpg"));
        Path out = dir.resolve("scored");
        TestData.Run run =
                TestData.run(
                        ScoreCommand.commandLine(),
                        "--input",
                        validation.toString(),
                        bad.toString(),
                        odd.toString(),
                        "--output",
                        out.toString(),
                        "--model",
                        TestData.model().toString(),
                        "--master",
                        "local[2]",
                        "--conf",
                        "spark.ui.showConsoleProgress=false");
        assertEquals(0, run.code(), run.err());
        assertEquals("", run.err().strip(), "Spark's log is quiet");

        List<Path> expected = new ArrayList<>(walkImages(validation));
        expected.addAll(walkImages(bad));
        expected.addAll(oddFiles);
        assertEquals(1000 + 5 + 8, expected.size(), "1000 photos, 4 bad + COPY.JPEG, 8 odd");
        Map<String, Row> rows = readParquet(out);
        assertEquals(expected.size(), rows.size(), "one row per image file (and no notes.txt)");

        String sha = ModelFile.sha256(TestData.model());
        int compared = 0;
        int errors = 0;
        try (ImageClassifier classifier = ImageClassifier.builder(TestData.model()).build()) {
            for (Path file : expected) {
                Row row = rows.get(ScoreInputs.sparkName(file));
                assertNotNull(row, "no row for " + file);
                assertEquals(sha, row.getAs("model_sha256"));
                Prediction p;
                try {
                    p = classifier.classify(file);
                } catch (InvalidImageException e) {
                    assertEquals(e.problem(), row.getAs("error"), file.toString());
                    assertNull(row.getAs("label"), file.toString());
                    assertNull(row.getAs("logit"), file.toString());
                    errors++;
                    continue;
                }
                assertNull(row.getAs("error"), file.toString());
                assertEquals(p.label(), row.getAs("label"), file.toString());
                assertEquals(p.logits()[0], (float) row.getAs("logit"), 1e-5f, file.toString());
                assertEquals(p.probability(), (float) row.getAs("probability"), 1e-5f);
                compared++;
            }
        }
        assertEquals(1001 + 5, compared, "photos, COPY.JPEG and the 5 oddly named photos");
        assertEquals(4 + 3, errors, "4 bad files; FIFO, /dev/zero and the 2.2 GB file");
        String bomb = rows.get(ScoreInputs.sparkName(bad.resolve("bomb.png"))).getAs("error");
        assertTrue(bomb.contains("over the limit"), bomb);
        for (String name : List.of("fifo.jpg", "zero.jpg")) {
            String error = rows.get(ScoreInputs.sparkName(odd.resolve(name))).getAs("error");
            assertTrue(error.startsWith("not a regular file"), name + ": " + error);
        }

        assertTrue(run.out().contains("images scored: 1013"), run.out());
        assertTrue(run.out().contains("errors: 7"), run.out());
        assertTrue(run.out().matches("(?s).*images/s: \\d+\\.\\d.*"), run.out());
        assertTrue(Files.readString(out.resolve(ScoreOutput.METADATA)).contains("\"rows\":1013"));
    }

    @Test
    void onlyAnEarlierScoreOutputIsReplacedAndAFailedJobLeavesItAsItWas() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("newline-photos"));
        Path cats = TestData.photos("validation").resolve("cats");
        Files.copy(cats.resolve("cat.2000.jpg"), photos.resolve("two\nlines.jpg"));
        Files.copy(cats.resolve("cat.2001.jpg"), photos.resolve("plain.jpg"));
        Path out = dir.resolve("existing");
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--input",
                                photos.toString(),
                                "--output",
                                out.toString(),
                                "--model",
                                TestData.model().toString(),
                                "--master",
                                "local[2]",
                                "--conf",
                                "spark.ui.showConsoleProgress=false",
                                "--format",
                                "csv"));
        TestData.Run first = TestData.run(ScoreCommand.commandLine(), args.toArray(String[]::new));
        assertEquals(0, first.code(), first.err());
        // counted from the job: re-reading the CSV took the name's newline for a second record
        assertTrue(first.out().contains("images scored: 2"), first.out());
        assertTrue(first.out().contains("errors: 0"), first.out());
        assertEquals(2, csvRecords(out).size(), String.join("\n", csvRecords(out)));

        Map<String, String> written = TestData.snapshot(dir);
        TestData.Run refused =
                TestData.run(ScoreCommand.commandLine(), args.toArray(String[]::new));
        assertEquals(2, refused.code(), refused.err());
        assertEquals(
                "score: --output "
                        + out
                        + ": already exists (an earlier score output); pass --overwrite to"
                        + " replace it",
                refused.err().strip());
        assertEquals(written, TestData.snapshot(dir));

        args.add("--overwrite");
        List<String> failing = new ArrayList<>(args);
        failing.addAll(
                List.of("--conf", "spark.sql.sources.commitProtocolClass=no.such.CommitProtocol"));
        TestData.Run failed =
                TestData.run(ScoreCommand.commandLine(), failing.toArray(String[]::new));
        assertEquals(1, failed.code(), failed.err());
        assertEquals(1, failed.err().strip().lines().count(), "one line: " + failed.err());
        assertTrue(failed.err().startsWith("score: the Spark job failed: "), failed.err());
        assertTrue(failed.err().strip().endsWith("; nothing was written to " + out), failed.err());
        assertEquals(written, TestData.snapshot(dir), "the earlier output as it was, no temporary");

        Files.delete(photos.resolve("plain.jpg"));
        TestData.Run replaced =
                TestData.run(ScoreCommand.commandLine(), args.toArray(String[]::new));
        assertEquals(0, replaced.code(), replaced.err());
        assertTrue(replaced.out().contains("images scored: 1"), replaced.out());
        List<String> records = csvRecords(out);
        assertEquals(1, records.size(), String.join("\n", records));
        assertTrue(records.get(0).startsWith("\"file:" + photos + "/two\nlines.jpg\",cats,"));
        try (var list = Files.list(dir)) {
            assertFalse(
                    list.anyMatch(p -> p.getFileName().toString().contains("catsdogs-score")),
                    "no temporary directory left");
        }
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

    // The image files under dir as score lists them (absolute, not resolved), sorted.
    private static List<Path> walkImages(Path dir) throws Exception {
        try (var walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> ImageFiles.hasImageExtension(p))
                    .sorted()
                    .toList();
        }
    }

    // The CSV part files' records without their headers (a quoted field may hold a newline).
    private static List<String> csvRecords(Path out) throws Exception {
        List<String> records = new ArrayList<>();
        try (var parts = Files.list(out)) {
            for (Path part : parts.filter(p -> p.toString().endsWith(".csv")).sorted().toList()) {
                String text = Files.readString(part);
                String header = "path,label,probability,logit,error,model_sha256\n";
                assertTrue(text.startsWith(header), text);
                // one record per line that starts a new quoted or unquoted path
                for (String record : text.substring(header.length()).split("\n(?=\"?file:)")) {
                    if (!record.isBlank()) {
                        records.add(record.strip());
                    }
                }
            }
        }
        return records;
    }

    // path column -> row; a fresh session, as the command stopped its own
    private static Map<String, Row> readParquet(Path out) {
        SparkSession spark = SparkSessions.builder("read", "local[2]", Map.of()).getOrCreate();
        try {
            Map<String, Row> rows = new HashMap<>();
            for (Row row : spark.read().parquet(out.toString()).collectAsList()) {
                Row previous = rows.put(row.getAs("path"), row);
                assertNull(previous, "two rows for " + row.getAs("path"));
            }
            return rows;
        } finally {
            spark.stop();
        }
    }
}
