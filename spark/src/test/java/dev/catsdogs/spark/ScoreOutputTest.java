package dev.catsdogs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.catsdogs.spark.cli.ScoreCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code score --output} may replace, checked before Spark starts (no Spark in this class): an
 * output that is, contains or lies inside an input is refused; so is anything that is not an
 * earlier score output, {@code --overwrite} or not; nothing is touched. {@link ScoreOutput}'s
 * commit replaces an earlier output, its abort leaves it as it was and nothing behind.
 */
class ScoreOutputTest {

    @TempDir Path dir;
    Path photos;

    @BeforeEach
    void photos() throws Exception {
        photos = Files.createDirectories(dir.resolve("photos"));
        Path validation = TestData.photos("validation");
        Files.copy(validation.resolve("cats/cat.2000.jpg"), photos.resolve("cat.jpg"));
        Files.copy(validation.resolve("dogs/dog.2000.jpg"), photos.resolve("dog.jpg"));
    }

    @Test
    void anOutputThatIsContainsOrLiesInsideAnInputIsRefusedAndNothingIsTouched() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("link"), photos);
        Map<String, String> before = TestData.snapshot(dir);
        List<List<String>> cases =
                List.of(
                        // the case: every photo of P was deleted
                        List.of(photos.toString(), photos.toString(), "is the same path as"),
                        List.of(photos.toString(), link.toString(), "is the same path as"),
                        List.of(photos.toString(), link.resolve("sub").toString(), "lies inside"),
                        List.of(photos.resolve("cat.jpg").toString(), dir.toString(), "contains"),
                        List.of(link.toString(), photos.resolve("out").toString(), "lies inside"));
        for (List<String> c : cases) {
            TestData.Run run = score("--input", c.get(0), "--output", c.get(1), "--overwrite");
            assertEquals(2, run.code(), run.err());
            assertEquals(
                    "score: --output "
                            + c.get(1)
                            + " "
                            + c.get(2)
                            + " --input "
                            + Path.of(c.get(0)).toRealPath()
                            + " (links resolved); choose an output outside the inputs",
                    run.err().strip());
            assertEquals(before, TestData.snapshot(dir), "nothing touched: " + c);
        }
    }

    @Test
    void overwriteRefusesAnythingButAnEarlierScoreOutputAndTouchesNothing() throws Exception {
        Path foreign = Files.createDirectories(dir.resolve("thesis"));
        Files.writeString(foreign.resolve("thesis.txt"), "four years of work");
        Files.copy(photos.resolve("cat.jpg"), foreign.resolve("photo.jpg"));
        Path plainFile = Files.writeString(dir.resolve("results.csv"), "mine");
        Path otherSpark = Files.createDirectories(dir.resolve("other-spark-job"));
        Files.writeString(otherSpark.resolve("_SUCCESS"), "");
        Files.writeString(otherSpark.resolve("part-00000.csv"), "someone else's rows");
        Path scoredPlus = writeScoreOutput(dir.resolve("scored-plus"));
        Files.writeString(scoredPlus.resolve("notes.txt"), "added by hand");
        Map<String, String> before = TestData.snapshot(dir);
        for (Path output : List.of(foreign, plainFile, otherSpark, scoredPlus)) {
            for (boolean overwrite : List.of(true, false)) {
                List<String> args =
                        new ArrayList<>(
                                List.of(
                                        "--input",
                                        photos.toString(),
                                        "--output",
                                        output.toString()));
                if (overwrite) {
                    args.add("--overwrite");
                }
                TestData.Run run = score(args.toArray(String[]::new));
                assertEquals(2, run.code(), run.err());
                assertEquals(1, run.err().strip().lines().count(), run.err());
                assertTrue(run.err().startsWith("score: --output " + output + ": "), run.err());
                assertEquals(before, TestData.snapshot(dir), "nothing touched: " + output);
            }
        }
        assertTrue(
                score("--input", photos.toString(), "--output", foreign.toString(), "--overwrite")
                        .err()
                        .contains("(it holds photo.jpg, thesis.txt)"));
        assertTrue(
                score("--input", photos.toString(), "--output", plainFile.toString())
                        .err()
                        .contains("exists and is not a directory"));
    }

    @Test
    void anEarlierScoreOutputNeedsOverwrite() throws Exception {
        Path scored = writeScoreOutput(dir.resolve("scored"));
        Map<String, String> before = TestData.snapshot(dir);
        TestData.Run run = score("--input", photos.toString(), "--output", scored.toString());
        assertEquals(2, run.code(), run.err());
        assertEquals(
                "score: --output "
                        + scored
                        + ": already exists (an earlier score output); pass --overwrite to"
                        + " replace it",
                run.err().strip());
        assertEquals(before, TestData.snapshot(dir));
    }

    @Test
    void commitReplacesAnEarlierOutputAndAbortLeavesItAsItWasWithNothingBehind() throws Exception {
        Path scored = writeScoreOutput(dir.resolve("scored"));
        Map<String, String> before = TestData.snapshot(dir);

        ScoreOutput aborted = prepare(scored.toString(), true);
        Files.writeString(staged(aborted).resolve("part-1.csv"), "new rows");
        aborted.abort(); // a failed or interrupted job
        assertEquals(before, TestData.snapshot(dir), "the earlier output as it was, no temporary");

        ScoreOutput replaced = prepare(scored.toString(), true);
        Files.writeString(staged(replaced).resolve("part-1.csv"), "new rows");
        Files.writeString(staged(replaced).resolve("_SUCCESS"), "");
        replaced.commit(Map.of("rows", 1));
        assertEquals("new rows", Files.readString(scored.resolve("part-1.csv")));
        assertFalse(Files.exists(scored.resolve("part-0.csv")), "the earlier output is gone");
        assertTrue(Files.readString(scored.resolve(ScoreOutput.METADATA)).contains("\"rows\":1"));
        try (Stream<Path> list = Files.list(dir)) {
            assertEquals(
                    List.of("photos", "scored"),
                    list.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary directory left");
        }

        // Missing parents are made only when the output is put in place.
        Path nested = dir.resolve("a/b/scored");
        prepare(nested.toString(), false).abort();
        assertFalse(Files.exists(dir.resolve("a")), "no empty directory behind");
        ScoreOutput made = prepare(nested.toString(), false);
        staged(made);
        made.commit(Map.of());
        assertTrue(Files.isRegularFile(nested.resolve(ScoreOutput.METADATA)));
    }

    @Test
    void anOutputThatCannotBeWrittenIsOneLineBeforeSparkStarts() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "");
        TestData.Run underFile =
                score("--input", photos.toString(), "--output", file.resolve("out").toString());
        assertEquals(2, underFile.code(), underFile.err());
        assertEquals(
                "score: --output " + file.resolve("out") + ": " + file + " is not a directory",
                underFile.err().strip());

        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux's read-only /proc");
        TestData.Run readOnly = score("--input", photos.toString(), "--output", "/proc/scored");
        assertEquals(2, readOnly.code(), readOnly.err());
        assertEquals(
                "score: --output /proc/scored: cannot write in /proc (read-only or no permission)",
                readOnly.err().strip());
    }

    private ScoreOutput prepare(String output, boolean overwrite) {
        return ScoreOutput.prepare(
                output,
                overwrite,
                ScoreInputs.list(List.of(photos.toString())),
                new Configuration());
    }

    private Path writeScoreOutput(Path output) throws Exception {
        return TestData.writeScoreOutput(output, photos);
    }

    private static Path staged(ScoreOutput out) throws Exception {
        return TestData.staged(out);
    }

    private static TestData.Run score(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--model", TestData.model().toString()));
        return TestData.run(ScoreCommand.commandLine(), all.toArray(String[]::new));
    }
}
