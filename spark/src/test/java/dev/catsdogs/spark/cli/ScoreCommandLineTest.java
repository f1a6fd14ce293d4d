package dev.catsdogs.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.spark.TestData;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code score}'s command line, checked before Spark starts (no Spark in this class): a bad value
 * is one line naming it and what is expected, exit 2, as {@code classify} does; so are a bogus or
 * unreachable {@code --master} and a glob pattern; a failed job is one line.
 */
class ScoreCommandLineTest {

    @TempDir Path dir;
    Path photos;
    Path out;

    @BeforeEach
    void photos() throws Exception {
        photos = Files.createDirectories(dir.resolve("photos"));
        Files.copy(
                TestData.photos("validation").resolve("cats/cat.2000.jpg"),
                photos.resolve("cat.jpg"));
        out = dir.resolve("out");
    }

    @Test
    void aBadOptionValueIsOneLineNamingTheValueAndWhatIsExpected() {
        List<List<String>> cases =
                List.of(
                        List.of(
                                "--format",
                                "xml",
                                "Received --format xml; expected one of parquet, csv, json"),
                        List.of("--batch", "0", "Received --batch 0; expected 1..1024"),
                        List.of("--batch", "1025", "Received --batch 1025; expected 1..1024"),
                        List.of(
                                "--conf",
                                "spark.foo",
                                "should be in KEY=VALUE format but was" + " spark.foo"),
                        List.of(
                                "--conf",
                                "foo=bar",
                                "--conf foo=bar: not a Spark setting (their"
                                        + " keys start with spark.)"));
        for (List<String> c : cases) {
            TestData.Run run = score(c.get(0), c.get(1));
            assertEquals(2, run.code(), run.err());
            assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
            assertTrue(run.err().startsWith("score: "), run.err());
            assertTrue(run.err().contains(c.get(2)), run.err());
            assertTrue(run.err().strip().endsWith("(see score --help)"), run.err());
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void aBogusOrUnreachableMasterIsOneLineBeforeSparkStarts() throws Exception {
        for (String master : List.of("bogus://x", "local[0]", "spark://no-port")) {
            TestData.Run run = score("--master", master);
            assertEquals(2, run.code(), run.err());
            assertTrue(run.err().startsWith("score: --master " + master + ": expected"), run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort(); // nothing listens once it is closed
        }
        String master = "spark://127.0.0.1:" + closed;
        TestData.Run run = score("--master", master);
        assertEquals(2, run.code(), run.err());
        assertEquals(
                "score: --master "
                        + master
                        + ": no Spark master answers at 127.0.0.1:"
                        + closed
                        + " (Connection refused)",
                run.err().strip());
        assertFalse(Files.exists(out));
        // nothing left beside the output either: the output is prepared after the master check
        try (var list = Files.list(dir)) {
            assertEquals(List.of(photos), list.toList());
        }
    }

    @Test
    void aGlobPatternIsNotExpandedAndTheHelpSaysSo() {
        String pattern = photos + "/*.jpg";
        TestData.Run run =
                TestData.run(
                        ScoreCommand.commandLine(),
                        "--input",
                        pattern,
                        "--output",
                        out.toString(),
                        "--model",
                        TestData.model().toString());
        assertEquals(2, run.code(), run.err());
        assertEquals(
                "score: --input "
                        + pattern
                        + ": not found (paths are literal: glob patterns are not expanded; let the"
                        + " shell expand them, as in --input photos/*.jpg)",
                run.err().strip());

        String help = TestData.run(ScoreCommand.commandLine(), "--help").out();
        assertTrue(help.replaceAll("\\s+", " ").contains("Paths are literal: glob patterns"), help);
        assertTrue(help.contains("130"), help);
        assertTrue(help.contains("--verbose"), help);
    }

    @Test
    void aFailedJobIsTheInnermostCauseOnOneLine() throws IOException {
        Exception failure =
                new SparkException(
                        "Job aborted due to stage failure: Task 0 in stage 1.0 failed 1 times\n"
                                + "Driver stacktrace:\n\tat org.apache.spark...",
                        new SparkException(
                                "[TASK_WRITE_FAILED] Task failed while writing rows to out",
                                new IOException("No space left on device")));
        assertEquals("No space left on device", JobFailures.describe(failure));
        assertEquals(
                "Job aborted due to stage failure: Task 0 in stage 1.0 failed 1 times",
                JobFailures.describe(new SparkException(failure.getMessage())));
        assertEquals("NullPointerException", JobFailures.describe(new NullPointerException()));
        assertEquals(
                "cannot read a\\tb.jpg \\u001b[31m", // escaped as every command does
                JobFailures.describe(new IOException("cannot read a\tb.jpg \u001b[31m")));
    }

    private TestData.Run score(String... args) {
        List<String> all =
                new ArrayList<>(
                        List.of(
                                "--input",
                                photos.toString(),
                                "--output",
                                out.toString(),
                                "--model",
                                TestData.model().toString()));
        all.addAll(List.of(args));
        return TestData.run(ScoreCommand.commandLine(), all.toArray(String[]::new));
    }
}
